"""q16 — fine-tuning. Key points: (1) after training the head with the base frozen, some top layers
of the base are unfrozen; (2) trained jointly with the head, usually with a small learning rate
(either is credited); (3) adapts the specialised high-level features to the new task while the
generic lower layers stay frozen."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Once the new classifier has converged with the base frozen, we unfreeze the last "
        "convolutional block of VGG16. Then we continue training these layers together with the "
        "classifier using a very low learning rate (e.g. 1e-5) so that we only slightly adjust them. "
        "The top layers encode more specific features, so adapting them to cats and dogs helps, while "
        "the first layers with generic edges stay frozen.",
        "111",
        "prose",
    ),
    A(
        "- unfreeze top conv block\n- train with head, small lr\n- adapt high-level features to our "
        "data",
        "111",
        "bullets",
    ),
    A("We unfreeze some of the last layers and train again.", "100", "partial"),
    A(
        "Fine-tuning means training the whole network again with a much smaller learning rate.",
        "010",
        "partial",
    ),
    A(
        "After training the head we freeze it and train only the base with a large learning rate so "
        "that the base forgets ImageNet and learns the new task from scratch.",
        "000",
        "wrong",
    ),
    A(
        "Fine-tuning means that we unfreeze the first layers of the base, because they are the most "
        "specific to ImageNet, and train them with a high learning rate.",
        "000",
        "wrong",
    ),
    A(
        "Afier training the head, we unfreeze tbe top 1ayers of the base and train them jointly with "
        "the head using a srnall 1earning rate. This adapts the high-1evel features to our new "
        "dataset.",
        "111",
        "ocr",
    ),
    A("unfreeze top layers, low lr", "110", "short"),
    A(
        "We do not unfreeze the whole base, only the last block, and we train it with a learning rate "
        "that is ten times smaller so we do not destroy the features.",
        "110",
        "negation",
    ),
    A(
        "Fine-tuning is the second stage of transfer learning. The base stays frozen while the "
        "randomly initialised head is trained, otherwise its large gradients would destroy the base. "
        "Then we make the upper convolutional layers trainable and train them with the head, with a "
        "small learning rate, so that their abstract representations become more relevant for our "
        "problem. The lower layers learn generic features and are kept frozen.",
        "111",
        "prose",
    ),
    A(
        "We freeze the base so the random head does not destroy the learned features.",
        "000",
        "neighbour",
    ),
    A(
        "The deeper layers of the base are specialised for ImageNet classes, so adjusting them makes "
        "them more relevant to the new task, while the early generic layers are left as they are.",
        "001",
        "partial",
    ),
    A(
        "Unlike feature extraction, where the whole base is frozen, fine-tuning also trains the top "
        "block of the base, jointly with the classifier and with a small learning rate.",
        "110",
        "contrast",
    ),
    A("top block trainable=True, lr=1e-5, adapt to task", "111", "terse"),
    A(
        "Fine-tuning means tuning the hyperparameters of the head, such as the learning rate and the "
        "number of units, with a grid search on the validation set.",
        "000",
        "wrong",
    ),
    A(
        "unfreez the 1ast conv b1ock and retrain with the c1assifier at a 1ow 1earning rate",
        "110",
        "ocr",
    ),
    A(
        "We make the last few layers trainable so that the high-level features can specialise to the "
        "cats vs dogs problem.",
        "101",
        "partial",
    ),
    A("train with smaller learning rate", "010", "short"),
    A(
        "The learning rate should not be small in fine-tuning, otherwise the network does not change; "
        "we use a large one.",
        "000",
        "negation",
    ),
    A(
        "Fine-tuning consists in unfreezing a few of the top layers of a frozen model base used for "
        "feature extraction, and jointly training both the newly added part of the model (the fully "
        "connected classifier) and these top layers. It is called fine-tuning because it slightly "
        "adjusts the more abstract representations of the model being reused, in order to make them "
        "more relevant for the problem at hand. We use a small learning rate to avoid large "
        "modifications.",
        "111",
        "prose",
    ),
    A("We take VGG16 trained on ImageNet and put our own classifier on top.", "000", "neighbour"),
    A(
        "After the head is trained, fine-tuning unfreezes all layers and resets their weights, then "
        "trains from scratch with the same learning rate.",
        "000",
        "wrong",
    ),
    A("* unfreeze block5 of VGG16\n* train it + dense layers together", "110", "bullets"),
    A("fine tunning: unfreze top layrs, sma1l lr", "110", "ocr"),
    A(
        "We train the classifier and the upper part of the base together, with a tiny learning rate, "
        "so the specialised features adapt to our dataset without being destroyed.",
        "111",
        "partial",
    ),
    A("It adapts the pretrained model to our specific task.", "000", "short"),
)
