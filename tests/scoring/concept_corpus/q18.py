"""q18 — residual blocks. Key points: (1) a skip connection adds the block input to its output, so
the block learns a residual; (2) the identity is easy (zero weights pass the input), so extra
layers do not hurt; (3) gradients flow through the shortcut: less vanishing, very deep networks
train faster."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "A residual block adds its input x to the output of its layers through a skip connection, y = "
        "F(x) + x, so the layers only learn the residual F. If the best thing is to do nothing, the "
        "weights can go to zero and the block becomes the identity, which means adding blocks never "
        "makes the network worse. The shortcut also gives the gradient a direct path backwards, so it "
        "does not vanish and networks with 100+ layers can be trained.",
        "111",
        "prose",
    ),
    A(
        "- skip connection: out = F(x) + x\n- easy identity → extra layers don't hurt\n- gradient "
        "flows through shortcut, no vanishing gradient",
        "111",
        "bullets",
    ),
    A("The input is added to the output through a shortcut connection.", "100", "partial"),
    A(
        "Residual connections help the gradient to propagate to the early layers, so very deep "
        "networks can be trained.",
        "001",
        "partial",
    ),
    A(
        "Residual blocks multiply the input by the output of the block, which makes the gradients "
        "larger and reduces the number of parameters.",
        "000",
        "wrong",
    ),
    A(
        "A residual block removes the layers that are not useful during training, so the network "
        "becomes shallower and faster; the skip connection deletes the input.",
        "000",
        "wrong",
    ),
    A(
        "Tbe skip connection adds the input to tbe output, so the b1ock learns on1y a residua1. It can "
        "easi1y learn the identity, so extra 1ayers don't hurt. Gradients f1ow direct1y through the "
        "shortcut -> no vanishing gradients.",
        "111",
        "ocr",
    ),
    A("avoid vanishing gradients", "001", "short"),
    A(
        "Adding more residual blocks does not make the training error worse, because each block can "
        "simply output its input when its weights are zero.",
        "010",
        "negation",
    ),
    A(
        "In a plain deep network, adding layers can make even the training accuracy worse (the "
        "degradation problem). In a ResNet each block computes F(x) and the shortcut adds x back. "
        "Learning F(x)=0 is easy, so a block that is not needed turns into an identity mapping and "
        "does no harm. In backpropagation the derivative of x + F(x) contains a 1, so the gradient "
        "reaches the first layers without shrinking; that is why we can train networks with 152 "
        "layers.",
        "111",
        "prose",
    ),
    A("Several filter sizes are used in parallel and concatenated.", "000", "neighbour"),
    A(
        "Residual blocks make it easy for the network to learn an identity function, and they allow "
        "gradients to flow backwards better, avoiding vanishing gradients.",
        "011",
        "partial",
    ),
    A(
        "Unlike a plain network, where gradients vanish after many layers, the shortcut in a residual "
        "block passes the gradient straight back to the earlier layers.",
        "001",
        "contrast",
    ),
    A("y = x + F(x); identity easy; grad highway", "111", "terse"),
    A(
        "The advantage of residual blocks is that the identity connection replaces the convolution, "
        "so the network has no weights to learn and cannot overfit; gradients are not needed.",
        "000",
        "wrong",
    ),
    A(
        "shortcut connections -> gradient f1ows direct1y to ear1y 1ayers, avoids vanishing gradient, "
        "al1ows very deep nets",
        "001",
        "ocr",
    ),
    A(
        "The block learns only the difference between its output and its input, F(x) = H(x) - x, and "
        "if F = 0 the block is just the identity, so a deeper ResNet is at least as good as a "
        "shallower one.",
        "110",
        "partial",
    ),
    A("identity mapping is easy to learn", "010", "short"),
    A(
        "Residual blocks do not help with vanishing gradients; they only reduce the number of "
        "parameters.",
        "000",
        "negation",
    ),
    A(
        "The identity shortcut makes the block compute H(x) = F(x) + x, so its layers only have to "
        "model the residual F(x). Deep plain networks suffer from vanishing gradients and "
        "degradation; with shortcuts the gradient can flow unchanged through the addition, so "
        "networks of hundreds of layers train well and converge faster. And when a block is not "
        "useful, the optimizer can push F towards zero, making the block an identity that does not "
        "hurt accuracy.",
        "111",
        "prose",
    ),
    A("We unfreeze the top layers and train them with a small learning rate.", "000", "neighbour"),
    A(
        "Residual blocks add noise to the input so that the network is more robust; the skip "
        "connection skips the training of some layers to make training faster.",
        "000",
        "wrong",
    ),
    A(
        "* input added to output (skip)\n* block learns residual F(x)\n* helps train very deep "
        "networks",
        "101",
        "bullets",
    ),
    A("skip conection, F(x)+x, learns residua1", "100", "ocr"),
    A(
        "With shortcut connections the error signal reaches the first layers directly during "
        "backpropagation, so the training of very deep networks becomes possible.",
        "001",
        "prose",
    ),
    A(
        "Extra residual blocks cannot hurt, since a block can always turn itself off and pass the "
        "input through unchanged.",
        "010",
        "negation",
    ),
)
