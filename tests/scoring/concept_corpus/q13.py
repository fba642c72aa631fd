"""q13 — data augmentation. Key points: (1) extra training examples from random label-preserving
transformations (flips, rotations, crops, shifts, colour); (2) less overfitting, better
generalization; (3) most useful when the training set is small."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Data augmentation generates new training images from the existing ones with random "
        "transformations that keep the label: flips, small rotations, crops, shifts, brightness "
        "changes. The model sees more variety, so it overfits less and generalizes better. It is most "
        "helpful when we only have a small dataset, e.g. 2000 images of cats and dogs.",
        "111",
        "prose",
    ),
    A(
        "- random flips/rotations/zooms of training images\n- less overfitting\n- useful for small "
        "datasets",
        "111",
        "bullets",
    ),
    A("We rotate and flip the images to get more data.", "100", "partial"),
    A("It prevents overfitting when there is not a lot of training data.", "011", "partial"),
    A(
        "Data augmentation means adding more layers to the network so that it can learn more "
        "features; it is most useful when the dataset is very large.",
        "000",
        "wrong",
    ),
    A(
        "Augmentation duplicates each image exactly several times so the dataset becomes larger; this "
        "increases overfitting but improves training accuracy.",
        "000",
        "wrong",
    ),
    A(
        "Data augmentaion = applying randorn transforrnations (flips, rotat1ons, crops) to the trainig "
        "images to get more samp1es. It reduces overfiting. Most usefu1 when the dataset is srnall.",
        "111",
        "ocr",
    ),
    A("more data from existing data by transformations", "100", "short"),
    A(
        "It is not needed when the dataset is huge, but with a small dataset it helps a lot against "
        "overfitting.",
        "011",
        "negation",
    ),
    A(
        "When we don't have enough labelled images the network memorises the training set. "
        "Augmentation fights this by showing the network randomly modified versions of each image at "
        "every epoch - mirrored, shifted, zoomed, with different contrast - so it cannot memorise "
        "exact pixels and has to learn features that generalise.",
        "111",
        "prose",
    ),
    A("We take a model pretrained on ImageNet and reuse it for our task.", "000", "neighbour"),
    A(
        "Augmentation is a preprocessing step where every training image is randomly cropped, flipped "
        "horizontally and its colours jittered before it is fed to the network, so each epoch sees "
        "slightly different images.",
        "100",
        "partial",
    ),
    A(
        "Unlike collecting new data, augmentation is free: we create new samples by rotating and "
        "shifting the existing ones, which regularizes the network.",
        "110",
        "contrast",
    ),
    A(
        "random label-preserving transforms → more examples → less overfitting; small data",
        "111",
        "terse",
    ),
    A(
        "Data augmentation is applied to the test set so that the test accuracy becomes higher; it is "
        "most useful when the training set is already large and we want to reduce the training "
        "time.",
        "000",
        "wrong",
    ),
    A(
        "Augrnentation: flip, rotate, zoorn, shift the irnages randornly. This gives more training "
        "exarnples and reduces overfitting especia1ly if we have few irnages.",
        "111",
        "ocr",
    ),
    A("It is most useful when you do not have a lot of data.", "001", "partial"),
    A(
        "Augmentation does not help with overfitting; it is only used to make the images look "
        "nicer.",
        "000",
        "negation",
    ),
    A(
        "Augmentation artificially enlarges the training set by applying transformations that do not "
        "change the class, for example a horizontally flipped cat is still a cat. Because the network "
        "never sees exactly the same image twice, overfitting is reduced and the model generalizes "
        "better. It matters most for small datasets; with millions of images there is less need.",
        "111",
        "prose",
    ),
    A("to avoid overfitting", "010", "short"),
    A(
        "Data augmentation adds random noise to the labels so that the network does not become too "
        "confident; it is most useful when the labels are clean.",
        "000",
        "wrong",
    ),
    A("Pooling makes the network invariant to small translations.", "000", "neighbour"),
    A(
        "We apply random rotations, flips and zooms every epoch, which works as a regularizer and "
        "reduces overfitting, since the network sees new variations of the images.",
        "110",
        "partial",
    ),
    A("ovefitting prevention for sma11 datasets", "011", "ocr"),
    A(
        "* What: transform training images (flip, crop, colour jitter) to make new samples\n* Why: "
        "model sees more variation, better generalization\n* When: limited data",
        "111",
        "bullets",
    ),
    A(
        "Create modified copies of the training images (rotated, flipped) so the network generalizes "
        "better.",
        "110",
        "partial",
    ),
)
