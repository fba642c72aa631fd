"""q21 — Grad-CAM heatmaps. Key points: (1) which regions most influenced the class prediction
(explanation, localization, debugging); (2) gradient of the class score w.r.t. the feature maps of
the target conv layer; (3) gradients averaged per channel as weights, weighted sum of the channels;
(4) normalize, resize and superimpose the heatmap on the image."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Grad-CAM shows which regions of the input were most important for the network's prediction "
        "of a class, which helps explain mistakes and localize objects. We feed the image, take the "
        "score of the class and compute its gradient with respect to the feature maps of the last "
        "conv layer. The gradients are averaged over each channel to give one weight per channel; "
        "each feature map is multiplied by its weight and the maps are summed (then ReLU). The "
        "heatmap is normalized to [0,1], resized to the image size and overlaid on the original "
        "image.",
        "1111",
        "prose",
    ),
    A(
        "- why: see where the model looks for class c\n- grad of class score wrt last conv feature "
        "maps\n- global average of grads per channel = weights, weighted sum of maps\n- normalize, "
        "upsample, superimpose",
        "1111",
        "bullets",
    ),
    A(
        "Grad-CAM highlights the parts of the image that the network used to predict the class.",
        "1000",
        "partial",
    ),
    A(
        "Compute the gradient of the predicted class score with respect to the output of the last "
        "convolutional layer, average it over the spatial dimensions for each channel and use these "
        "values to weight the channels before summing them.",
        "0110",
        "partial",
    ),
    A(
        "Grad-CAM shows which filters have the largest weights: we compute the gradient of the loss "
        "with respect to the weights and plot the weights of the last layer as a heatmap.",
        "0000",
        "wrong",
    ),
    A(
        "Class activation heatmaps are built by averaging the input image over its color channels and "
        "multiplying it by the predicted probability, then resizing it.",
        "0000",
        "wrong",
    ),
    A(
        "Grad-CAM shows which regions of the irnage were most important for the predicted c1ass. We "
        "backpropagate the c1ass score to the feature rnaps of the 1ast conv 1ayer, average the "
        "gradients per channe1, mu1tiply each map by its weight and surn. The heatrnap is "
        "norma1ized, resized and over1aid on the origina1 irnage.",
        "1111",
        "ocr",
    ),
    A("shows where the network looks", "1000", "short"),
    A(
        "It does not need any retraining: we only need the gradients of the class output with respect "
        "to the last conv activations.",
        "0100",
        "negation",
    ),
    A(
        "A classifier can be right for the wrong reasons, e.g. detecting 'wolf' from snow in the "
        "background. Grad-CAM makes visible where the evidence for a class lies. Procedure: forward "
        "the image; take the pre-softmax score y_c; backpropagate to the activations A^k of the last "
        "conv layer; alpha_k = mean over i,j of dy_c/dA^k_ij; heatmap = ReLU(sum_k alpha_k A^k); "
        "scale it to [0,1], upsample to the input size and blend it with the input using a color "
        "map.",
        "1111",
        "prose",
    ),
    A("We plot the activations of each layer for an input image.", "0000", "neighbour"),
    A(
        "The heatmap is upsampled to the original size and superimposed on the image with some "
        "transparency.",
        "0001",
        "partial",
    ),
    A(
        "Unlike filter visualization, Grad-CAM is about one specific image and one class: it tells us "
        "which pixels of that image pushed the network towards the class.",
        "1000",
        "contrast",
    ),
    A(
        "dy_c/dA → GAP → weights → Σ w_k A_k → ReLU → resize, overlay; explains the decision",
        "1111",
        "terse",
    ),
    A(
        "Grad-CAM trains a second network that predicts the heatmap from the image, and the heatmap is "
        "then used as the label to retrain the model on the important regions.",
        "0000",
        "wrong",
    ),
    A(
        "heatrnap = where the mode1 1ooks for the c1ass; grads of c1ass score wrt 1ast conv fearure "
        "rnaps; channe1 weights = mean of grads; weighted surn of rnaps; resize + overlay",
        "1111",
        "ocr",
    ),
    A(
        "It visualizes the important areas for a decision of the classifier as a heatmap laid over "
        "the original photograph; this is useful to check the network is not cheating.",
        "1001",
        "partial",
    ),
    A("gradients of the class score w.r.t. the last conv layer", "0100", "short"),
    A(
        "Grad-CAM does not use gradients; it simply shows the input image with the predicted label "
        "written on it.",
        "0000",
        "negation",
    ),
    A(
        "Class activation map visualization produces, for a given input and a given class, a 2D grid "
        "of scores indicating how important each location is with respect to that class. "
        "Implementation: compute the gradient of the class output with regard to the output feature "
        "map of the last convolutional layer; take the mean intensity of the gradient over each "
        "feature map channel; multiply each channel of the feature map by how important it is (its "
        "mean gradient) and average the channels; normalise between 0 and 1, resize to the input and "
        "superimpose with cv2.addWeighted.",
        "1111",
        "prose",
    ),
    A(
        "We start from random noise and maximize the activation of a filter by gradient ascent.",
        "0000",
        "neighbour",
    ),
    A(
        "The heatmap is the gradient of the image with respect to the class score averaged over all "
        "the images of the class; it shows which class is the most important for the dataset.",
        "0000",
        "wrong",
    ),
    A(
        "* backprop class score to last conv layer\n* mean gradient per channel\n* weight channels, "
        "sum\n* resize + overlay on image",
        "0111",
        "bullets",
    ),
    A("over1ay the heatrnap on tbe irnage after resizing it", "0001", "ocr"),
    A(
        "To explain why the model predicted 'cat', Grad-CAM weights every feature map of the last "
        "layer by the average of its gradients and adds them up, giving a coarse map of the regions "
        "that mattered.",
        "1010",
        "partial",
    ),
    A(
        "Grad-CAM answers which part of the image is responsible for the decision. You compute the "
        "gradient of the output node of the class with respect to the activations of the chosen "
        "conv layer, combine them into a heatmap, and finally draw the heatmap on top of the image "
        "after scaling it to the image size.",
        "1101",
        "prose",
    ),
)
