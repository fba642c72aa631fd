"""q19 — visualizing intermediate activations. Key points: (1) build a model whose outputs are the
activations of intermediate layers; (2) feed an image and plot each channel of each layer's output
as an image; (3) shows how the input is transformed and what each filter detects: interpret or
debug the network."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "We create a new model with the same input as the trained network whose outputs are the "
        "activations of several intermediate conv and pooling layers. Then we feed one test image and "
        "plot every channel of every returned feature map as a small grayscale image. This shows how "
        "the image is transformed from layer to layer and what each filter reacts to, which helps us "
        "interpret and debug the network.",
        "111",
        "prose",
    ),
    A(
        "- model that outputs intermediate activations\n- feed image, imshow each channel\n- see what "
        "filters detect / how input is transformed",
        "111",
        "bullets",
    ),
    A(
        "We pass an image through the network and display the feature maps of some layers.",
        "010",
        "partial",
    ),
    A(
        "It helps to understand what the network has learned and which parts of the image each layer "
        "focuses on.",
        "001",
        "partial",
    ),
    A(
        "We visualize intermediate activations by plotting the training loss curve of each layer, "
        "which shows whether the network is overfitting.",
        "000",
        "wrong",
    ),
    A(
        "To visualize the activations we start from random noise and do gradient ascent to find the "
        "image that maximizes each filter.",
        "000",
        "neighbour",
    ),
    A(
        "Bui1d a mode1 that returns the activations of interrnediate 1ayers. Feed an irnage and p1ot "
        "each channe1 of each 1ayer as an irnage. This shows how the input is transforrned layer by "
        "1ayer and helps to interpret tbe network.",
        "111",
        "ocr",
    ),
    A("feed an image and plot the feature maps", "010", "short"),
    A(
        "The activations are not weights: we do not plot the filters, we plot the outputs of the "
        "layers for one input image, each channel as a picture.",
        "010",
        "negation",
    ),
    A(
        "In Keras we instantiate models.Model(inputs=model.input, outputs=[layer.output for layer in "
        "model.layers[:8]]). Calling predict on a single cat picture returns a list of activation "
        "tensors, and we draw each channel with matshow in a grid per layer. We see that the first "
        "layers keep almost all information of the image (edge detectors), while deeper activations "
        "become more abstract and sparse, telling us what the network encodes at each stage.",
        "111",
        "prose",
    ),
    A(
        "Grad-CAM computes the gradient of the class score with respect to the last conv layer and "
        "overlays a heatmap on the image.",
        "000",
        "neighbour",
    ),
    A(
        "We use forward hooks to capture the output of each conv layer for an input image and show "
        "every channel with imshow.",
        "110",
        "partial",
    ),
    A(
        "Unlike filter visualization, which starts from noise, here we take a real image, run it "
        "through a truncated model that returns the intermediate feature maps, and plot them channel "
        "by channel.",
        "110",
        "contrast",
    ),
    A(
        "submodel(outputs=intermediate layers) → predict(img) → imshow per channel → "
        "interpretability",
        "111",
        "terse",
    ),
    A(
        "Intermediate activations are visualized by printing the weights of each convolutional layer "
        "as numbers, which tells us how many parameters the model has.",
        "000",
        "wrong",
    ),
    A(
        "extract the feature rnaps of the hidden 1ayers with a new mode1, run one irnage, show each "
        "channe1 in a grid. usefu1 to understand what each fi1ter detects.",
        "111",
        "ocr",
    ),
    A(
        "Run a picture through the CNN and show every channel of the conv outputs; we can then check "
        "which filters detect edges and which detect more complex patterns.",
        "011",
        "partial",
    ),
    A("to understand what features the layers detect", "001", "short"),
    A(
        "We do not need an image for this; we plot the kernels of the first layer directly.",
        "000",
        "negation",
    ),
    A(
        "To look inside the network, we create a model that maps the input image to the outputs of "
        "the intermediate layers (for example all Conv2D and MaxPooling layers). Given one image, it "
        "returns one activation per layer; each activation is an H×W×C tensor, and every channel is "
        "drawn as a 2D image. Doing so reveals how the representation changes with depth and which "
        "visual patterns each filter picks up, which is useful to debug a network that performs "
        "poorly.",
        "111",
        "prose",
    ),
    A(
        "Start from a gray image with noise and perform gradient ascent on the mean activation of a "
        "filter.",
        "000",
        "neighbour",
    ),
    A(
        "We visualize the activations by averaging all the channels of the last layer into one number "
        "per class and plotting a bar chart of these numbers.",
        "000",
        "wrong",
    ),
    A("* feed a cat image\n* show the feature maps of conv1..conv3 as images", "010", "bullets"),
    A(
        "p1ot activations of each 1ayer for an input irnage -> see how the irnage is transforrned",
        "011",
        "ocr",
    ),
    A(
        "You build a second model whose outputs are the activations of the layers you want to "
        "inspect.",
        "100",
        "partial",
    ),
    A(
        "Feeding a test image and plotting the channels of a few layers tells us which features the "
        "network detects and lets us spot dead filters (all-zero maps), which is useful for "
        "debugging.",
        "011",
        "prose",
    ),
)
