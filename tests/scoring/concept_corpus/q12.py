"""q12 — purpose of pooling. Key points: (1) downsamples the feature maps spatially (width and
height); (2) less computation / fewer parameters later, pooling itself has nothing to learn;
(3) max pooling keeps the strongest response per window, some invariance to small translations."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Pooling downsamples each feature map, e.g. 2x2 max pooling halves the width and height. This "
        "makes the following layers cheaper and reduces the number of parameters of the dense layers, "
        "and the pooling layer itself has nothing to learn. Max pooling keeps the largest activation "
        "in each window, i.e. whether the feature is present, so the result barely changes if the "
        "input shifts by a pixel.",
        "111",
        "prose",
    ),
    A(
        "- reduce spatial size\n- less computation/params\n- max = strongest activation, translation "
        "invariance",
        "111",
        "bullets",
    ),
    A("Pooling reduces the size of the feature maps so the network is faster.", "110", "partial"),
    A(
        "Max pooling keeps only the strongest response in each region, which makes the network robust "
        "to small shifts of the object.",
        "001",
        "partial",
    ),
    A(
        "Pooling increases the resolution of the feature maps by repeating the maximum value, which "
        "adds learnable parameters and makes the network more accurate.",
        "000",
        "wrong",
    ),
    A(
        "The purpose of pooling is to add more channels: each pooling layer doubles the depth while "
        "keeping the spatial size, so the network can learn more features.",
        "000",
        "wrong",
    ),
    A(
        "Poo1ing downsamp1es the feature rnaps (reduces width and heigth). Tbis reduces the "
        "cornputation and the nurnber of pararneters. Max poo1ing keeps the strongest activation so "
        "smal1 translations do not matter.",
        "111",
        "ocr",
    ),
    A("downsampling", "100", "short"),
    A(
        "Pooling does not have any trainable weights, but it reduces the amount of computation in the "
        "following layers because it reduces the spatial resolution.",
        "110",
        "negation",
    ),
    A(
        "Pooling does not reduce the size of the feature maps; it only normalizes the values.",
        "000",
        "negation",
    ),
    A(
        "After convolution we usually pool to summarise neighbourhoods: a 2x2 max pool outputs one "
        "value per 2x2 window, the maximum, which tells whether the feature was detected anywhere in "
        "that window, not exactly where. This gives a bit of invariance to small translations and "
        "halves H and W, and with smaller maps the next convolutions and the fully connected layer "
        "need fewer operations and weights.",
        "111",
        "prose",
    ),
    A(
        "1x1 convolutions reduce the number of channels without changing H and W.",
        "000",
        "neighbour",
    ),
    A(
        "Unlike convolution, pooling has no weights; it just takes the max or average of each window, "
        "which reduces the spatial size and therefore the cost of later layers.",
        "110",
        "contrast",
    ),
    A("pool → smaller maps → fewer params, faster; max → shift invariance", "111", "terse"),
    A(
        "Max pooling picks the smallest value in each window to remove noise, and this makes the "
        "network sensitive to the exact position of features.",
        "000",
        "wrong",
    ),
    A(
        "* reduces spatia1 dimensions\n* fewer pararns in later layers\n* max poo1 -> invariant to "
        "smal1 shifts",
        "111",
        "ocr",
    ),
    A(
        "Pooling is a downsampling operation: it shrinks the height and width of the activation maps. "
        "With max pooling we keep the highest value of each patch, so we know the feature is present "
        "without caring about its precise location.",
        "101",
        "prose",
    ),
    A("It decreases the number of parameters and computations in the network.", "010", "partial"),
    A("We apply random flips and rotations to create more training images.", "000", "neighbour"),
    A(
        "Pooling is used to learn the weights of the filters: the pooling layer computes the average "
        "gradient of each window and uses it to update the kernel.",
        "000",
        "wrong",
    ),
    A(
        "The main goals of pooling are (a) reducing the spatial dimension of the representation, "
        "which reduces memory and computation for the subsequent layers, (b) controlling overfitting, "
        "since fewer parameters are needed in the classifier, and (c) making the representation "
        "approximately invariant to small translations of the input, because the max over a window "
        "does not change when the feature moves a little inside it.",
        "111",
        "prose",
    ),
    A("reduce the size of the feature maps and overfitting", "100", "short"),
    A(
        "Because of the max, the output does not change much when the object moves by one pixel.",
        "001",
        "negation",
    ),
    A("downsarnpling + trans1ation invariance", "101", "ocr"),
    A(
        "Pooling summarizes small regions of a feature map with one number. This makes the maps "
        "smaller, so the later layers have less work, and since we take the maximum response in each "
        "region the network only remembers that a feature occurred, not its exact location, which "
        "gives robustness to small displacements.",
        "111",
        "prose",
    ),
    A(
        "Average pooling is better than max pooling because it keeps the largest values, and pooling "
        "layers have many learnable parameters that make training slower.",
        "000",
        "wrong",
    ),
)
