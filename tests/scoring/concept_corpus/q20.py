"""q20 — visualizing filters by gradient ascent. Key points: (1) start from a random noise or blank
input image; (2) loss = mean activation of a chosen filter, gradient w.r.t. the input image,
update the image by gradient ascent; (3) the result shows the pattern the filter responds to most
(edges early, textures deeper)."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "We start with an image of random noise (a gray image plus small noise). The loss is the mean "
        "activation of one filter of one layer; we compute the gradient of this loss with respect to "
        "the input pixels and add it to the image, i.e. gradient ascent, for many steps. The final "
        "image shows the pattern that this filter responds to most: edges and colours in early "
        "layers, complex textures in deep layers.",
        "111",
        "prose",
    ),
    A(
        "- start: random noise image\n- maximize mean activation of filter by gradient ascent on "
        "input\n- result = pattern the filter detects",
        "111",
        "bullets",
    ),
    A(
        "Start from a random image and change it with gradient ascent so that a filter is maximally "
        "activated.",
        "110",
        "partial",
    ),
    A(
        "The result is the input pattern that excites the filter most, so we see what the filter has "
        "learned.",
        "001",
        "partial",
    ),
    A(
        "We visualize the filters by doing gradient descent on the weights of the filter until the "
        "loss is zero and then plotting the weights as an image.",
        "000",
        "wrong",
    ),
    A(
        "We take a real image from the dataset, compute the gradient of the class score with respect "
        "to the image and overlay it as a heatmap to see which pixels matter.",
        "000",
        "neighbour",
    ),
    A(
        "Start frorn a randorn noise irnage. Define the 1oss as the mean activation of the chosen "
        "fi1ter, compute its gradient wrt the input irnage and update the irnage by gradient ascent. "
        "The resu1ting irnage shows the pattern the fi1ter responds to most.",
        "111",
        "ocr",
    ),
    A("gradient ascent on a noise image", "100", "short"),
    A(
        "The weights are not changed during this process; only the input image, which starts as "
        "random noise, is modified to maximize the filter's activation.",
        "110",
        "negation",
    ),
    A(
        "Filter visualization asks: which input would make this filter fire the most? We answer it by "
        "optimization. The input is initialised with uniform noise around gray. The objective is the "
        "average value of the filter's output map. Backpropagation gives the gradient of the "
        "objective with respect to the pixels; we normalise it and take a step in its direction "
        "(ascent, since we maximise). After 40 steps the image shows repeated stripes, dots or "
        "textures, the visual pattern this filter is tuned to.",
        "111",
        "prose",
    ),
    A(
        "We build a model that outputs the activations of the conv layers and plot them for an input "
        "image.",
        "000",
        "neighbour",
    ),
    A(
        "Begin with a blank image. At the end, the image contains the pattern that the filter is "
        "looking for, e.g. textures for deeper layers.",
        "101",
        "partial",
    ),
    A(
        "Unlike normal training, we keep the weights fixed and do gradient ascent on the input image "
        "to maximise the mean activation of one filter.",
        "010",
        "contrast",
    ),
    A("x0 = noise; x += lr * d(mean act_f)/dx; shows pattern f detects", "111", "terse"),
    A(
        "We initialise the filter weights with random noise and apply gradient ascent to them so that "
        "the classification loss increases, which shows which classes the network confuses.",
        "000",
        "wrong",
    ),
    A(
        "input = randorn noise; 1oss = mean activation of fi1ter k; gradient ascent on the input; "
        "resu1t shows what fi1ter k 1ooks for (edges ear1y, textures 1ater)",
        "111",
        "ocr",
    ),
    A(
        "We compute the gradient of the filter's mean activation with respect to the input image and "
        "add it to the image repeatedly.",
        "010",
        "partial",
    ),
    A("maximize filter activation wrt input", "010", "short"),
    A(
        "We do not change the input image; the gradient ascent is done on the filter weights, "
        "starting from zeros.",
        "000",
        "negation",
    ),
    A(
        "The procedure (Chollet, ch. 5.4) is: build a loss function that maximizes the value of a "
        "given filter in a given convolution layer; start from a blank input image with some noise; "
        "use stochastic gradient descent to adjust the values of the input image so as to maximize "
        "this activation value — this is gradient ascent in input space. The resulting input image "
        "is one that the chosen filter is maximally responsive to, e.g. simple color patterns in "
        "block1 and complex natural textures in block4.",
        "111",
        "prose",
    ),
    A(
        "We average the gradients of the class score over each channel and use them to weight the "
        "feature maps.",
        "000",
        "neighbour",
    ),
    A(
        "The filters are visualized by resizing each 3x3 kernel to the image size and superimposing "
        "it on the input image, which shows the edges it detects.",
        "000",
        "wrong",
    ),
    A(
        "* random input\n* gradient ascent to maximize filter output\n* visualize what the filter "
        "learned",
        "111",
        "bullets",
    ),
    A("noise -> gradiant ascent -> pattern of filter", "101", "ocr"),
    A(
        "We define the loss as the activation of a particular filter and do gradient ascent on the "
        "pixels of the input image; the final image is the pattern this filter responds to most.",
        "011",
        "partial",
    ),
    A(
        "For each filter, the loss is its average activation. We then take the gradient of this loss "
        "wrt the input image (not the weights!) and move the image in the direction of the gradient "
        "many times, starting from a random gray image. This shows, for early layers, simple edges "
        "and colors, and for deep layers, complex textures and patterns.",
        "111",
        "prose",
    ),
)
