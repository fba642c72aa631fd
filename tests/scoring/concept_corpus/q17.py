"""q17 — inception block. Key points: (1) parallel branches of different filter sizes and pooling on
the same input, concatenated along depth; (2) no need to choose one filter size: it learns which
branch is useful, features at several scales; (3) 1x1 bottlenecks reduce channels before the
expensive convolutions, cutting parameters and computation."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "An inception block runs 1x1, 3x3 and 5x5 convolutions and a max pooling in parallel on the "
        "same input and concatenates their outputs along the channel axis. So we don't have to pick "
        "one kernel size: the network learns which branch is useful and sees features at several "
        "scales at once. To keep it cheap, 1x1 convolutions first reduce the number of channels "
        "before the 3x3 and 5x5 convolutions.",
        "111",
        "prose",
    ),
    A(
        "- parallel conv branches (1x1/3x3/5x5/pool), concatenated\n- multi-scale, no need to choose "
        "filter size\n- 1x1 bottlenecks reduce cost",
        "111",
        "bullets",
    ),
    A(
        "Several convolutions with different kernel sizes are applied in parallel and their outputs "
        "are stacked.",
        "100",
        "partial",
    ),
    A(
        "The 1x1 convolutions reduce the depth before the 5x5 convolution, which saves a lot of "
        "computation.",
        "001",
        "partial",
    ),
    A(
        "An inception block puts the 1x1, 3x3 and 5x5 convolutions one after the other, so the "
        "receptive field grows, and the network must choose the best filter size during training.",
        "000",
        "wrong",
    ),
    A(
        "Inception blocks are residual blocks: the input is added to the output so that gradients do "
        "not vanish.",
        "000",
        "wrong",
    ),
    A(
        "lnception: 1x1, 3x3, 5x5 convs and poo1ing in para11el, outputs concatenated. The net does "
        "not need to choose the fi1ter size, it 1earns which is best. 1x1 convs reduce the channe1s "
        "before the big convs (less cornputation).",
        "111",
        "ocr",
    ),
    A("multiple filter sizes in parallel", "100", "short"),
    A(
        "Instead of choosing between a 3x3 and a 5x5 filter, we use both at the same time and let the "
        "network decide.",
        "110",
        "negation",
    ),
    A(
        "The idea behind GoogLeNet's inception module is that the optimal kernel size is not known in "
        "advance: large kernels suit globally distributed information, small kernels local "
        "information. So the module computes all of them side by side on the same input and "
        "concatenates the resulting feature maps; training then weights the useful ones. Because 5x5 "
        "convolutions on many channels are expensive, a 1x1 convolution is put before them to shrink "
        "the depth, which cuts the number of multiplications by a large factor.",
        "111",
        "prose",
    ),
    A(
        "The skip connection lets gradients flow directly and avoids vanishing gradients.",
        "000",
        "neighbour",
    ),
    A(
        "It captures features at multiple scales because it uses different receptive fields in the "
        "same layer.",
        "010",
        "partial",
    ),
    A(
        "Unlike a plain conv layer with one kernel size, an inception block applies 1x1, 3x3 and 5x5 "
        "filters in parallel and concatenates them along the depth.",
        "100",
        "contrast",
    ),
    A(
        "branches: 1x1 | 3x3 | 5x5 | pool → concat; multi-scale; 1x1 reduce dims → fewer FLOPs",
        "111",
        "terse",
    ),
    A(
        "The advantage of inception is that the 1x1 convolutions increase the number of channels so "
        "that the 3x3 and 5x5 convolutions have more information, which makes the block more "
        "expensive but more accurate.",
        "000",
        "wrong",
    ),
    A(
        "para11e1 branches with different kerne1 sizes are concatenated, so the network can 1earn "
        "features at different sca1es. bott1eneck 1x1 convs keep the cost 1ow.",
        "111",
        "ocr",
    ),
    A(
        "Each branch (1x1, 3x3, 5x5, max pool) sees the same input and the outputs are concatenated. "
        "The 1x1 convolutions in front of the big ones reduce the number of channels, so the block "
        "has fewer parameters.",
        "101",
        "partial",
    ),
    A("no need to pick a kernel size", "010", "short"),
    A(
        "An inception block does not use 1x1 convolutions; it only uses large 7x7 filters to see the "
        "whole image at once.",
        "000",
        "negation",
    ),
    A(
        "Inception = width instead of depth. The same feature map goes through four parallel paths: a "
        "1x1 conv, a 1x1 followed by a 3x3, a 1x1 followed by a 5x5, and a 3x3 max pool followed by "
        "a 1x1. The four results are stacked along the channel dimension. This gives the next layer "
        "multi-scale features, and the choice of the filter size is left to learning. The 1x1 convs "
        "before the large filters act as a bottleneck that lowers the channel count and therefore "
        "the computational cost.",
        "111",
        "prose",
    ),
    A(
        "A 1x1 convolution with fewer filters than input channels reduces the depth while keeping H "
        "and W.",
        "000",
        "neighbour",
    ),
    A(
        "Inception blocks concatenate the outputs of several layers along the width and height, which "
        "doubles the image size and makes the network see more details.",
        "000",
        "wrong",
    ),
    A(
        "In an inception module there are several branches working in parallel on the previous "
        "layer's output: a 1x1 convolution, a 3x3 convolution, a 5x5 convolution and a pooling layer. "
        "At the end, their feature maps are concatenated.",
        "100",
        "partial",
    ),
    A("mu1ti-sca1e features, network 1earns which fi1ter size is usefu1", "010", "ocr"),
    A("* let the net decide the filter size\n* 1x1 bottleneck → less compute", "011", "bullets"),
    A(
        "It applies convolutions of different sizes side by side and joins their outputs, so objects "
        "of different sizes are captured in one layer without us having to decide which size is "
        "best.",
        "110",
        "prose",
    ),
)
