"""q9 — how a 1x1 convolution reduces channels. Key points: (1) spans the full depth and computes a
weighted combination of the channels at each pixel, no neighbours; (2) output channels = number of
1x1 filters, fewer filters reduce depth; (3) width and height unchanged (e.g. 28x28x192 -> 28x28x32)."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "A 1x1 filter has the full depth of the input (1x1xC), so at each pixel it computes a weighted "
        "sum of all C channel values and does not look at neighbouring pixels. Each such filter gives "
        "one output channel, so with fewer filters than input channels the depth goes down, while H "
        "and W stay the same: 28x28x192 with 32 filters of 1x1x192 gives 28x28x32.",
        "111",
        "prose",
    ),
    A(
        "- 1x1xC kernel = weighted sum over channels at each pixel\n- #filters = #output channels\n"
        "- H, W unchanged: 64x64x256 -> 64x64x64 with 64 filters",
        "111",
        "bullets",
    ),
    A("64×64×128 → 1×1 conv with 32 filters → 64×64×32", "011", "terse"),
    A(
        "It works like a fully connected layer applied to every pixel separately: it mixes the "
        "channels but not the positions.",
        "100",
        "partial",
    ),
    A(
        "A 1x1 convolution reduces the number of channels because it averages neighbouring pixels, "
        "which halves the width and height of the feature map.",
        "000",
        "wrong",
    ),
    A(
        "The 1x1 filter looks at one channel at a time and picks the most important channels, "
        "throwing away the others, so the depth is reduced while the height and width are kept.",
        "001",
        "wrong",
    ),
    A(
        "A lxl convolution has depth equal to the number of imput channels, so at every pixe1 it takes "
        "a weigthed sum of the channe1s. The number of output channels is the nurnber of fiIters, so "
        "using fewer fi1ters reduces the depth. The spatia1 size stays the sarne.",
        "111",
        "ocr",
    ),
    A("fewer 1x1 filters than input channels", "010", "short"),
    A(
        "It does not change the width or height, only the depth: the output has as many channels as "
        "there are 1x1 filters.",
        "011",
        "negation",
    ),
    A(
        "Think of each pixel as a vector of 192 numbers (one per channel). A 1x1 convolution with 32 "
        "filters multiplies this vector by a 32x192 matrix, producing a vector of 32 numbers, "
        "independently for every pixel. So the image stays 28x28 but goes from 192 to 32 channels.",
        "111",
        "prose",
    ),
    A(
        "Inception uses 1x1 convolutions before the 3x3 and 5x5 ones to save computation.",
        "000",
        "neighbour",
    ),
    A(
        "Because the kernel is 1x1 there is no spatial context: the output at a pixel depends only on "
        "that pixel's values across all channels.",
        "100",
        "partial",
    ),
    A(
        "Unlike a 3x3 convolution, a 1x1 convolution ignores neighbours and only combines the channels "
        "of each pixel; if we use k filters we get k channels.",
        "110",
        "contrast",
    ),
    A(
        "A 1x1 convolution reduces channels by using a stride of 2, so the output has fewer pixels and "
        "therefore fewer channels.",
        "000",
        "wrong",
    ),
    A("out[i,j,k] = Σ_c w[k,c]·in[i,j,c]; k=1..K with K<C, so depth C→K, H×W same", "111", "terse"),
    A("each fi1ter -> one output channe1, H and W stay the sarne", "011", "ocr"),
    A(
        "The depth of the output of any convolution is the number of filters. With 1x1 filters the "
        "height and width are unchanged (stride 1), so choosing 16 filters for a 32-channel input "
        "halves the depth.",
        "011",
        "partial",
    ),
    A(
        "The 1x1 filter has only one weight, so it multiplies every channel by the same number and the "
        "depth stays the same; the reduction comes from pooling afterwards.",
        "000",
        "wrong",
    ),
    A(
        "* 1x1 conv = per-pixel linear layer over channels\n* output depth = number of filters\n"
        "* example: 28x28x192, 32 filters → 28x28x32",
        "111",
        "bullets",
    ),
    A("For example 100x100x64 with a 1x1 conv of 16 filters gives 100x100x16.", "011", "terse"),
    A(
        "A 1x1 convolution cannot reduce the number of channels; it always keeps the same depth as its "
        "input and only rescales each channel.",
        "000",
        "negation",
    ),
    A(
        "The 1×1 convolution is a projection along the channel axis. Each 1×1×C filter takes a linear "
        "combination of the C input feature maps at each location. Stacking K such filters gives K "
        "feature maps, so when K < C the depth shrinks; because the kernel covers one pixel and we use "
        "stride 1, the spatial size is preserved.",
        "111",
        "prose",
    ),
    A("The output is 126x126x16 because (128-3)+1 = 126.", "000", "neighbour"),
    A(
        "Tbe 1x1 fi1ter spans all input channe1s and computes a weighted comb1nation of them at each "
        "pixe1 (no neighbours). Nurnber of filters = number of output channe1s. Width/height "
        "unchanged.",
        "111",
        "ocr",
    ),
    A("It reduces the image size.", "000", "wrong"),
    A(
        "Every 1x1 kernel sums the input channels with learned weights at each position; with fewer "
        "kernels than input channels we get fewer output channels.",
        "110",
        "partial",
    ),
)
