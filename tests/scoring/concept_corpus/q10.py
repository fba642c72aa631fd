"""q10 — interpreting convolution layers, early vs deep. Key points: (1) learned feature detectors:
each filter responds to a pattern, giving a feature map; (2) early layers: low-level, local,
generic features (edges, colours, textures); (3) deeper layers: higher-level, abstract features
(object parts, objects) built by combining earlier ones."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Convolution layers act as feature extractors: every filter is a detector for some pattern "
        "and its output is a feature map showing where the pattern is. The first layers find simple, "
        "local things like edges, colour blobs and textures; deeper layers combine these into more "
        "abstract features such as eyes, wheels and eventually whole objects.",
        "111",
        "prose",
    ),
    A(
        "- conv layers = learned feature detectors\n- early: edges, colours\n- deep: object parts, "
        "objects",
        "111",
        "bullets",
    ),
    A(
        "Early layers detect whole objects such as faces, while the deeper layers respond to edges and "
        "colours.",
        "000",
        "swap",
    ),
    A(
        "The first layers learn high-level concepts like dogs and cats, and as we go deeper the layers "
        "learn low-level features like lines.",
        "000",
        "swap",
    ),
    A(
        "The early layers capture generic features (edges, textures), which is why they can be reused "
        "for other tasks.",
        "010",
        "partial",
    ),
    A(
        "Convolution layers can be interpreted as classifiers: every layer predicts the class, and "
        "deeper layers just repeat the prediction of earlier ones with more confidence.",
        "000",
        "wrong",
    ),
    A(
        "Conv layers are feature extractors: eacb filter detects a pattem and outputs a feature rnap. "
        "Ear1y layers detect edges and co1ours, deeper layers detect object parts and objects by "
        "cornbining ear1ier features.",
        "111",
        "ocr",
    ),
    A("feature extractors; low level → high level", "100", "short"),
    A(
        "Deeper layers do not detect edges any more; they detect combinations of them such as object "
        "parts.",
        "001",
        "negation",
    ),
    A(
        "We can view a CNN as a hierarchy of feature detectors. Each conv filter learns to respond to "
        "a particular pattern in its input. In the first layer the patterns are oriented edges and "
        "colour contrasts; in the middle layers textures and simple shapes; in the last layers the "
        "filters respond to object parts like eyes or wheels and to entire objects.",
        "111",
        "prose",
    ),
    A(
        "We visualize the activations by building a model that outputs the feature maps of each layer "
        "and plotting them.",
        "000",
        "neighbour",
    ),
    A(
        "Each filter is a learned detector. Later layers see a larger receptive field and combine "
        "simple features into complex ones.",
        "101",
        "partial",
    ),
    A(
        "Unlike the first layers, which respond to simple edges and textures, the last layers respond "
        "to high-level semantic features like faces.",
        "011",
        "contrast",
    ),
    A(
        "Early layers are more abstract and specific to the dataset, deep layers are generic and can "
        "be transferred.",
        "000",
        "swap",
    ),
    A(
        "Convolution layers compress the image: the early layers remove noise and the deeper layers "
        "store the image in fewer pixels.",
        "000",
        "wrong",
    ),
    A(
        "A convolutional layer is a bank of learned filters; each filter slides over the input and "
        "produces a feature map that is high where its pattern occurs, so the layer is a feature "
        "detector. Stacking layers builds a hierarchy. Shallow layers have small receptive fields and "
        "learn local, generic features: edges, corners, colour blobs. Deeper layers have large "
        "receptive fields and, by composing the features below them, respond to more abstract things: "
        "textures, parts (eyes, wheels) and whole objects (faces, cars).",
        "111",
        "prose",
    ),
    A("f1rst layers = edges/co1ors, 1ast layers = objects", "011", "ocr"),
    A(
        "Every filter in a conv layer is a pattern detector that produces one feature map.",
        "100",
        "partial",
    ),
    A(
        "Deeper layers have more channels to compensate for the smaller resolution.",
        "000",
        "neighbour",
    ),
    A(
        "Edges and colours are detected by the last layers, while the first layers detect objects.",
        "000",
        "swap",
    ),
    A(
        "At the beginning of the network the filters look for simple things such as lines and "
        "colours; further into the network they look for combinations of these, like eyes or "
        "wheels.",
        "111",
        "prose",
    ),
    A(
        "Early layers have more parameters than deeper layers, so they learn more complex features; "
        "deeper layers are only used to reduce the dimension.",
        "000",
        "wrong",
    ),
    A("hierarchical features: edges → textures → parts → objects", "011", "terse"),
    A(
        "The early layers do not know anything about cats or dogs; they only find edges and colour "
        "changes that appear in any image. Deeper layers are specific to the classes: they detect cat "
        "faces or dog ears.",
        "011",
        "negation",
    ),
    A("They extract features.", "100", "short"),
    A("ear1y layers -> comp1ex objects, deep 1ayers -> simp1e edges", "000", "swap"),
)
