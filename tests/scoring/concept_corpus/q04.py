"""q4 — convolution as template matching. Key points: (1) filter = template whose weights encode
the pattern; (2) slid over the image, output = dot product / weighted sum with each patch;
(3) response high where the patch resembles the template, so the map shows where it occurs."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Think of the kernel as a small template of the pattern we want to find. The kernel is moved "
        "over the whole image and at every location we multiply it elementwise with the patch below "
        "it and sum up, which is just a dot product. Where the patch looks like the template this dot "
        "product is large, so the output (the feature map) is bright exactly at the places where the "
        "pattern is present.",
        "111",
        "prose",
    ),
    A(
        "- kernel = template\n- slide over image, dot product at each location\n- large output where "
        "patch matches the kernel",
        "111",
        "bullets",
    ),
    A("The filter is a template and convolution measures similarity.", "100", "short"),
    A(
        "The kernal weights are a templete for a feature. We slidethe kernal across the imgae and "
        "compute the dot prodcut with each patch. If the patch is similiar to the templete the output "
        "is hihg, so the feature map shows where the feature apears.",
        "111",
        "ocr",
    ),
    A(
        "Template matching means the filter is copied onto the image like a template, so the output "
        "image becomes an exact copy of the filter wherever we place it, and the weights are fixed by "
        "hand.",
        "000",
        "wrong",
    ),
    A(
        "In template matching the image is the template and the filter is slid over it; the output is "
        "the largest where the filter is smallest, because the convolution subtracts the patch from "
        "the template.",
        "000",
        "wrong",
    ),
    A(
        "Each filter is a template of some pattern (e.g. a vertical edge). Convolution computes a "
        "weighted sum of the pixels under the filter at every position.",
        "110",
        "partial",
    ),
    A(
        "The output is high where the image looks like the filter, so the output map is basically a "
        "map of where the pattern appears in the image.",
        "001",
        "partial",
    ),
    A(
        "The filter is not a template of anything, it is just random numbers; the output is not "
        "related to how similar the patch is.",
        "000",
        "negation",
    ),
    A(
        "Convolution computes y[i,j] = sum_{u,v} w[u,v] x[i+u,j+v]. This is the correlation between "
        "the kernel w and the neighbourhood of the input at (i,j). If we regard w as a template of a "
        "shape, e.g. a corner, then y[i,j] measures how well the neighbourhood matches the template: "
        "the value peaks where the image contains the corner. Sweeping over all (i,j) gives a response "
        "map.",
        "111",
        "prose",
    ),
    A(
        "Convolution layers are feature extractors: early layers find edges and later layers find "
        "object parts.",
        "000",
        "neighbour",
    ),
    A(
        "Template matching: we have a template (the filter) and we want to find it in the image. We "
        "compare the template to every patch of the image.",
        "100",
        "partial",
    ),
    A(
        "Unlike normal matrix multiplication, convolution slides the kernel over the image and takes "
        "the inner product with each patch; a high value means the patch is similar to the kernel, "
        "which acts as a template.",
        "111",
        "contrast",
    ),
    A(
        "filter ~ template; output(x,y) = <filter, patch(x,y)>; big where they match",
        "111",
        "terse",
    ),
    A(
        "The dot product between the filter and the image is computed once for the whole image, and a "
        "high result means the image belongs to the class of the template.",
        "000",
        "wrong",
    ),
    A(
        "Tne filter acts l1ke a templ ate. At every posit1on we calculate the weighted surn of the "
        "pixels under the filter . Strong respons e = the patch resembles the filter.",
        "111",
        "ocr",
    ),
    A(
        "The weights of a kernel can be read as a pattern. Convolving the image with it is equivalent "
        "to computing, for each pixel, the correlation between the pattern and the local neighbourhood "
        "around that pixel.",
        "110",
        "prose",
    ),
    A(
        "We move the kernel across the picture and at each step take the sum of products. Wherever the "
        "picture locally resembles the kernel the sum is maximal.",
        "011",
        "partial",
    ),
    A(
        "The kernel does not need to be hand-designed: its learned weights form the template of the "
        "pattern the layer searches for, and sliding it over the input gives a dot product at every "
        "position that is high where the input matches.",
        "111",
        "negation",
    ),
    A(
        "Convolution is template matching because the kernel is always the same size as the image, so "
        "the whole image is compared to the template in one step, giving one number.",
        "000",
        "wrong",
    ),
    A("kernel = pattern detector, high output when pattern is present", "101", "short"),
    A(
        "Pooling takes the maximum in each window, so it keeps the strongest response and reduces the "
        "size.",
        "000",
        "neighbour",
    ),
    A(
        "In class we saw that a convolution is basically a similarity measure. The filter holds a "
        "small image (for example an eye), and we place it at each location of the input. At each "
        "location we multiply the overlapping values and add them. The output is a heat map that is "
        "large where the eye is in the image and small elsewhere.",
        "111",
        "prose",
    ),
    A(
        "The image patch acts as the template and the filter is what we search in; the output is "
        "small where they are similar.",
        "000",
        "wrong",
    ),
    A(
        "* filter weights = pattern to detect\n* dot product filter · patch\n* repeated for every "
        "patch",
        "110",
        "bullets",
    ),
    A(
        "the filter is a templat and the ouput is high when the image region resembels it",
        "101",
        "ocr",
    ),
)
