"""Held-out answers: written and labelled after the rules were tuned on the corpus, never tuned on.

Three answers per question, labelled per key point like the corpus. The
benchmark reports agreement on them separately, as a check that the rules
were not fitted to the development answers alone.
"""

from tests.scoring.concept_corpus import A

HELD_OUT = {
    "q4": (
        A(
            "Convolving is like sliding a stencil of the feature across the picture: at every offset "
            "we multiply the stencil values with the pixels beneath and add them up. The bigger that "
            "number, the more the local region looks like the stencil, so peaks in the output mark "
            "where the feature is.",
            "111",
            "prose",
        ),
        A("The kernel is a template. Nothing else.", "100", "short"),
        A(
            "Template matching means we compare the histogram of the image with the histogram of the "
            "filter and keep the best one.",
            "000",
            "wrong",
        ),
    ),
    "q5": (
        A(
            "Keep the 3x3 filters but feed them progressively smaller versions of the image. Because "
            "each pixel of a small version stands for many pixels of the original, the same filter "
            "effectively looks at a bigger area, and a large object that did not fit the filter at "
            "full resolution fits it at a coarse level.",
            "111",
            "prose",
        ),
        A("multi-scale = the network uses several filter sizes at once", "000", "wrong"),
        A("We downsample the image several times but never change the kernel.", "100", "partial"),
    ),
    "q6": (
        A(
            "Every pooling halves the resolution, so to avoid throwing away what was learned we double "
            "the number of filters; that way the size of the activation volume stays in the same "
            "ballpark from block to block.",
            "110",
            "prose",
        ),
        A(
            "Because deeper in the network the features are compositions of many simpler ones, there "
            "are many more distinct patterns to encode, which requires more channels.",
            "001",
            "partial",
        ),
        A("Depth is increased so that the image becomes smaller.", "000", "wrong"),
    ),
    "q9": (
        A(
            "Each 1x1 kernel looks through all the channels of a single pixel and outputs a weighted "
            "sum of them, so it acts like a small dense layer shared over all pixels. Using 20 such "
            "kernels on a 50x50x100 input gives 50x50x20: the spatial size is the same, only the depth "
            "changed.",
            "111",
            "prose",
        ),
        A(
            "The 1x1 convolution reduces the channels because it takes the maximum over the "
            "channels.",
            "000",
            "wrong",
        ),
        A("number of output channels = number of 1x1 filters", "010", "terse"),
    ),
    "q10": (
        A(
            "Conv layers learn filters that act as detectors for visual patterns. Near the input these "
            "patterns are tiny edges and blobs of colour, while the later layers assemble them into "
            "textures, parts of objects, and finally whole objects.",
            "111",
            "prose",
        ),
        A("The first layers detect the class and the last layers detect pixels.", "000", "swap"),
        A("early layers: generic, transferable (edges)", "010", "terse"),
    ),
    "q12": (
        A(
            "Max-pooling slides a 2x2 window with stride 2 and keeps the biggest number, so the map "
            "gets four times smaller and the following layers have fewer multiplications to do. Small "
            "shifts of the input barely change which value is the max.",
            "111",
            "prose",
        ),
        A("Pooling adds non-linearity like ReLU.", "000", "wrong"),
        A("It makes the feature maps smaller.", "100", "short"),
    ),
    "q13": (
        A(
            "Augmenting means randomly flipping, cropping or recolouring the training pictures on the "
            "fly so the network effectively sees a bigger, more varied dataset; that keeps it from "
            "memorising and is most worthwhile when we have only a few hundred images.",
            "111",
            "prose",
        ),
        A(
            "Data augmentation is collecting more real data from the internet to make the dataset "
            "bigger.",
            "000",
            "wrong",
        ),
        A("it helps generalization", "010", "short"),
    ),
    "q14": (
        A(
            "We borrow a CNN that someone trained on ImageNet, throw away its classification layers, "
            "and train a new small classifier on top of its convolutional features for our cats-vs-"
            "dogs task. This gives high accuracy with little data because we don't learn the features "
            "from zero.",
            "111",
            "prose",
        ),
        A(
            "Transfer learning is moving a model from training mode to evaluation mode.",
            "000",
            "wrong",
        ),
        A("use a pretrained VGG16 as a fixed feature extractor", "100", "short"),
    ),
    "q15": (
        A(
            "With the base frozen its weights stay fixed while the randomly initialised classifier "
            "learns; otherwise the large error gradients of that random classifier would propagate "
            "back and wipe out the pretrained features.",
            "110",
            "prose",
        ),
        A("We freeze the base so that it trains faster on the GPU.", "001", "short"),
        A("Freezing lets the base learn a higher learning rate than the head.", "000", "wrong"),
    ),
    "q16": (
        A(
            "Once the top classifier is trained, we make the last conv block of the base trainable too "
            "and keep training everything with a learning rate around 1e-5, so that the block's "
            "high-level features get tuned to our data without ruining them.",
            "111",
            "prose",
        ),
        A("Fine-tuning is training the new head with the base frozen.", "000", "wrong"),
        A("unfreeze last block", "100", "short"),
    ),
    "q17": (
        A(
            "The inception module feeds one input into four parallel branches (1x1, 3x3, 5x5 "
            "convolution and 3x3 pooling) and stacks the results depth-wise. The net can then use "
            "whichever kernel size suits the data, and cheap 1x1 convs placed before the 3x3 and 5x5 "
            "ones cut the channel count so the block stays affordable.",
            "111",
            "prose",
        ),
        A("An inception block is a very deep stack of 3x3 convolutions.", "000", "wrong"),
        A(
            "uses 1x1 convs to reduce the depth before the big filters, which saves computation",
            "001",
            "partial",
        ),
    ),
    "q18": (
        A(
            "Residual blocks output F(x)+x, so the layers inside only need to model a correction to "
            "the input. They make it trivial to represent the identity, so stacking more blocks "
            "doesn't hurt, and the addition lets the gradient pass straight back, which fixes the "
            "vanishing-gradient problem in very deep nets.",
            "111",
            "prose",
        ),
        A("Residual blocks reduce the number of layers in the network.", "000", "wrong"),
        A("skip connection sums input and output", "100", "short"),
    ),
    "q19": (
        A(
            "Make a Keras model whose outputs are the outputs of the first eight layers, run a cat "
            "image through it, and show each channel of every activation as a grayscale picture. It "
            "lets us see what each filter picks up, e.g. edges, and how abstract the representation "
            "gets.",
            "111",
            "prose",
        ),
        A("We visualize activations by plotting the accuracy per epoch.", "000", "wrong"),
        A("run an image and plot every channel of some layers' outputs", "010", "terse"),
    ),
    "q20": (
        A(
            "Take a random noisy image, define the objective as the average output of filter k in "
            "layer l, and repeatedly add the gradient of that objective with respect to the image to "
            "the image. The picture that results is the pattern filter k responds to the most.",
            "111",
            "prose",
        ),
        A(
            "We plot the 3x3 weights of the first-layer filters directly as small images.",
            "000",
            "wrong",
        ),
        A("gradient ascent in input space to maximise a filter's mean activation", "010", "terse"),
    ),
    "q21": (
        A(
            "Grad-CAM points out the image regions that drove the network's decision for a class. We "
            "take the gradient of the class score with respect to the last conv layer's feature maps, "
            "average it over each map to get a weight per channel, sum the weighted maps, apply ReLU, "
            "then normalize, upscale and overlay the result on the photo.",
            "1111",
            "prose",
        ),
        A("Grad-CAM is a heatmap of the image's brightness.", "0000", "wrong"),
        A("heatmap on top of the original image, after resizing", "0001", "short"),
    ),
}
