"""q5 — multi-scale analysis with a pyramid of fixed-size convolutions. Key points: (1) filter size
fixed, image repeatedly downsampled into a pyramid; (2) at coarser levels the same filter covers a
larger region of the original; (3) objects of different sizes detected at the matching level."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Instead of using bigger and bigger kernels, we keep one 3x3 kernel and apply it to several "
        "downsampled copies of the image (the pyramid: full size, half, quarter...). On the half-size "
        "image a 3x3 window corresponds to a 6x6 area of the original, so the effective receptive "
        "field grows. Small objects are then detected at the fine levels and big objects at the coarse "
        "levels where they fit the filter.",
        "111",
        "prose",
    ),
    A(
        "- fixed filter size\n- downsample image repeatedly -> pyramid\n- filter sees more of the "
        "original at low res\n- objects of different sizes found at different levels",
        "111",
        "bullets",
    ),
    A(
        "We build an image pyramid by repeatedly downsampling and run the same small filter on each "
        "level.",
        "100",
        "partial",
    ),
    A(
        "When the image is downsampled by 2, the same 3x3 filter covers a 6x6 region of the original "
        "image.",
        "110",
        "partial",
    ),
    A(
        "A pyramid of convolutions means that each layer uses a larger filter than the previous one "
        "(3x3, then 5x5, then 7x7), so the receptive field grows and objects of different sizes are "
        "detected.",
        "000",
        "wrong",
    ),
    A(
        "The image is upsampled several times so that the filter becomes relatively smaller and can "
        "see finer details; each level is then averaged to get one multi-scale output.",
        "000",
        "wrong",
    ),
    A(
        "lnstead of making the fiIter bigger we keep it fixed and downsarnple the irnage many times "
        "(pyramid). On the coarse leveIs the same filter covers a bigger region of the originaI image, "
        "so big objects are found at coarse levels and small ones at fine levels.",
        "111",
        "ocr",
    ),
    A("same filter, smaller images", "100", "short"),
    A(
        "We do not change the filter size; we change the image size. Each time the image is halved the "
        "filter sees twice as much of the scene in each direction.",
        "110",
        "negation",
    ),
    A(
        "Multi-scale analysis means that we look at the image at several resolutions. A Gaussian "
        "pyramid is built by blurring and subsampling the image again and again. Because the kernel "
        "has a fixed number of pixels, on a small level it spans a large part of the original scene. "
        "Thus a face that is 100 pixels wide in the original can be detected at the level where it is "
        "about as big as the kernel.",
        "111",
        "prose",
    ),
    A(
        "As the resolution decreases we increase the number of channels to keep the information.",
        "000",
        "neighbour",
    ),
    A(
        "The pyramid lets us detect both small and large objects: each object is detected at the "
        "scale that matches its size.",
        "001",
        "partial",
    ),
    A(
        "Unlike using a larger kernel, which costs many more parameters, the pyramid keeps the 3x3 "
        "kernel and shrinks the image, so that a 3x3 window at the top level covers a 24x24 patch of "
        "the input image.",
        "110",
        "contrast",
    ),
    A(
        "With a pyramid, the filter size is increased at every level while the image keeps the same "
        "size, so at higher levels the filter covers a larger region of the image and large objects "
        "are found.",
        "000",
        "wrong",
    ),
    A(
        "* keep the conv kernel the same\n* downsample input by 2 each level\n* combine detections "
        "from all levels",
        "100",
        "bullets",
    ),
    A(
        "insted of bigger kernals, we resise the imgae to smaller sizes and use the same kernal. "
        "Objects of diferent sizes will match the kernal at diferent levels of the pyramid.",
        "101",
        "ocr",
    ),
    A(
        "At the coarse levels each filter position corresponds to a big area of the original image, "
        "therefore large patterns are captured there, whereas small patterns are captured at the fine "
        "levels.",
        "011",
        "partial",
    ),
    A("Use 1x1, 3x3 and 5x5 convolutions in parallel.", "000", "neighbour"),
    A(
        "The trick is to keep the kernel small and fixed, and instead rescale the input: we create a "
        "sequence of images, each one half the size of the previous one. Applying the same filter to "
        "every image of the sequence is equivalent to applying filters of size 3, 6, 12, ... to the "
        "original image, i.e. the filter effectively covers a larger region at the coarser levels. A "
        "pattern of a given size will produce the strongest response at the level where its size "
        "matches the filter, which gives scale invariance.",
        "111",
        "prose",
    ),
    A(
        "The image is not downsampled; instead the filter is dilated at each level so that it covers "
        "a larger area.",
        "000",
        "negation",
    ),
    A(
        "Keeping a fixed 5x5 filter and reducing the resolution step by step, the filter covers a "
        "wider and wider portion of the scene.",
        "110",
        "partial",
    ),
    A(
        "pyramid: image at multiple resolutions, fixed kernel -> multi scale detection",
        "100",
        "terse",
    ),
    A(
        "The pyramid is built from the feature maps of the network: the first layer has the most "
        "channels and the last the fewest, so the last layer sees the whole image.",
        "000",
        "wrong",
    ),
    A(
        "Fixed size filter + downsampl1ng -> pyrarnid. at coarser leve1s the filter covers a larger "
        "regi0n of the orig image. diff. sized objects are detected at the matching leve1.",
        "111",
        "ocr",
    ),
    A(
        "Different filter sizes are applied in parallel and concatenated, so the network sees several "
        "scales at once.",
        "000",
        "neighbour",
    ),
    A(
        "You downsample the image several times (e.g. by factors 2, 4, 8) but you keep the filter the "
        "same. A small object is detected in the full-resolution image and a large one in the small "
        "images.",
        "101",
        "prose",
    ),
)
