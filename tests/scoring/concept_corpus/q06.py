"""q6 — why depth grows as resolution shrinks. Key points: (1) more channels compensate for the
information lost; (2) computation / parameters / representation size per layer kept balanced;
(3) deeper layers need more channels for many more, more complex feature combinations."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Each time we downsample we throw away spatial information, so we add channels to keep that "
        "information in another form. Doubling the channels when halving H and W also keeps the work "
        "per layer about constant (the number of multiplications stays similar). And deeper layers "
        "have to represent many more combinations of the simpler features, which needs more "
        "filters.",
        "111",
        "prose",
    ),
    A(
        "- pooling loses spatial info -> more channels compensate\n- keeps compute per layer "
        "balanced\n- deep features are more complex/more numerous",
        "111",
        "bullets",
    ),
    A(
        "Because the spatial size gets smaller, we can afford more channels without increasing the "
        "cost too much.",
        "010",
        "partial",
    ),
    A(
        "Deeper layers detect more abstract and more varied features (object parts, objects), so they "
        "need more filters than the first layers that only detect edges.",
        "001",
        "partial",
    ),
    A(
        "Depth is increased because the image gets smaller, so the network needs more layers to see "
        "the whole image; adding layers increases the receptive field.",
        "000",
        "wrong",
    ),
    A(
        "We increase the number of channels so that the total size of the tensor grows at every "
        "layer, which makes the computation larger and gives the network more information than the "
        "input had.",
        "000",
        "wrong",
    ),
    A(
        "Wen the resolutoin is reduced we loose spatial informaton, so more chanels are needed to "
        "compensate. It keeps the amout of computaion per layer aproximately the same. Deeper layers "
        "also need more filters because the features are more complx.",
        "111",
        "ocr",
    ),
    A("to not lose information", "100", "short"),
    A(
        "Increasing depth does not keep the computation balanced; it is only done to make the network "
        "slower to overfit.",
        "000",
        "negation",
    ),
    A(
        "A conv net trades spatial resolution for feature resolution. Early on, the maps are large but "
        "there are few kinds of features (edges). Later, the maps are small but the network must "
        "encode many kinds of higher-level features, so the number of channels grows. If we did not "
        "add channels, information would be lost at every pooling step.",
        "101",
        "prose",
    ),
    A(
        "Pooling reduces the width and height of the feature maps and makes the network faster.",
        "000",
        "neighbour",
    ),
    A(
        "Resolution goes down, so information is lost; by adding channels we preserve it and the "
        "number of activations per layer stays roughly the same.",
        "110",
        "partial",
    ),
    A(
        "Unlike the first layers, which only need a few filters for edges, the deeper layers combine "
        "those edges into many complex shapes and therefore need many channels.",
        "001",
        "contrast",
    ),
    A("H,W ↓ → C ↑ to keep the compute per layer constant", "010", "terse"),
    A(
        "The spatial resolution decreases because of the increase of depth: each additional channel "
        "removes some pixels, and this is what compresses the information.",
        "000",
        "wrong",
    ),
    A(
        "There are three reasons. (1) Downsampling discards spatial detail; more feature maps help "
        "retain that information in the channel dimension. (2) Since the number of FLOPs of a conv "
        "layer is roughly H*W*Cin*Cout*k^2, halving H and W and doubling the channels keeps the cost "
        "per layer comparable, so no layer dominates. (3) Higher layers represent more abstract "
        "concepts, and there are many more of them than low-level patterns, so they need more "
        "channels.",
        "111",
        "prose",
    ),
    A(
        "* lnformation lost by pooling is compensated by more channe1s\n* para meters / compute stay "
        "ba1anced\n* deeper = more cornplex features",
        "111",
        "ocr",
    ),
    A(
        "Deeper layers have smaller feature maps, so they need more channels in order to have more "
        "parameters and learn better.",
        "000",
        "wrong",
    ),
    A("Compensate for the loss of spatial information.", "100", "short"),
    A(
        "After every pooling step half of the spatial detail is gone; the extra filters make up for "
        "it. Also, deeper layers learn combinations of many earlier features, and there are many more "
        "possible combinations, so they need more filters.",
        "101",
        "prose",
    ),
    A(
        "The cost per layer does not explode, because H×W shrinks by 4 while the channels only "
        "double, so the computation stays roughly constant from layer to layer.",
        "010",
        "negation",
    ),
    A(
        "A 1x1 convolution can change the number of channels without changing H and W.",
        "000",
        "neighbour",
    ),
    A(
        "Depth is increased to compensate for the higher resolution in deeper layers, which needs "
        "more filters to cover all pixels.",
        "000",
        "wrong",
    ),
    A(
        "deeper layrs need more channels becuase they represent more complicated features, "
        "combinations of the previous ones",
        "001",
        "ocr",
    ),
    A(
        "- keep total size of the representation about the same\n- avoid losing information when the "
        "maps shrink",
        "110",
        "bullets",
    ),
    A(
        "The number of parameters of a conv layer depends on the channels, not on H and W, while the "
        "activations depend on H×W×C. Increasing C as H×W decreases keeps the memory of the "
        "activations per layer balanced.",
        "010",
        "prose",
    ),
)
