"""q15 — why freeze the pretrained base. Key points: (1) freezing keeps the pretrained weights from
being updated; (2) otherwise large updates from the random new head would destroy the learned
representations; (3) far fewer trainable parameters: faster, less overfitting."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Freezing means the weights of the convolutional base are not updated while we train the new "
        "head. This matters because the head starts from random weights, so at first its gradients "
        "are large and would wreck the features the base learned on ImageNet. It also means far fewer "
        "trainable parameters, so each epoch is faster and we are less likely to overfit our small "
        "dataset.",
        "111",
        "prose",
    ),
    A(
        "- frozen = weights not updated\n- random head → big gradients would destroy pretrained "
        "features\n- fewer params to train, faster",
        "111",
        "bullets",
    ),
    A("So that the pretrained weights do not change during training.", "100", "partial"),
    A(
        "The new classifier is randomly initialised, so its first gradient updates are large and "
        "would ruin what the base learned.",
        "010",
        "partial",
    ),
    A(
        "We freeze the base so that the learning rate becomes larger, which updates the pretrained "
        "weights faster and destroys overfitting.",
        "000",
        "wrong",
    ),
    A(
        "Freezing makes all layers trainable again so that the whole network is updated together "
        "with the head.",
        "000",
        "wrong",
    ),
    A(
        "Freezing rneans the base's weigths are not updated. The new head is random1y initia1ized, its "
        "1arge gradients would destroy the 1earned features. A1so fewer trainab1e parameters -> "
        "faster.",
        "111",
        "ocr",
    ),
    A("to keep the learned features", "100", "short"),
    A(
        "If we didn't freeze it, the big error signal from the untrained dense layers would flow back "
        "and overwrite the ImageNet features.",
        "010",
        "negation",
    ),
    A(
        "Training updates every trainable weight. The base was trained carefully on ImageNet, but our "
        "new dense layers start random and produce large, noisy gradients at the beginning. If the "
        "base were trainable, these updates would distort its filters and we would lose the "
        "pretrained representation. Setting trainable=False keeps those weights fixed; as a bonus, "
        "the number of trainable parameters drops from millions to a few thousand, so training is "
        "faster.",
        "111",
        "prose",
    ),
    A(
        "Fine-tuning unfreezes the top layers and trains them with a small learning rate.",
        "000",
        "neighbour",
    ),
    A(
        "Freezing reduces the number of parameters to train, which makes training quicker and reduces "
        "overfitting.",
        "001",
        "partial",
    ),
    A(
        "Unlike the head, which is trained, the base keeps its weights fixed, so the features from "
        "ImageNet are preserved.",
        "100",
        "contrast",
    ),
    A(
        "requires_grad=False → no updates to base; protects features from random head's big "
        "gradients; fewer params",
        "111",
        "terse",
    ),
    A(
        "Freezing is needed because the pretrained weights are random and would make the head "
        "overfit, so we delete them before training the head.",
        "000",
        "wrong",
    ),
    A(
        "frozen base = no updat es to its coefficients, otherwise the randorn head ruins the "
        "pretrained fi1ters",
        "110",
        "ocr",
    ),
    A(
        "The frozen layers are not trained, so there are only a few parameters left to learn and each "
        "epoch is much faster.",
        "101",
        "partial",
    ),
    A("prevent overfitting because fewer weights are trained", "001", "short"),
    A(
        "Freezing does not stop the weights from being updated; it only lowers their learning rate, "
        "which is why training is slower.",
        "000",
        "negation",
    ),
    A(
        "We set the convolutional base to non-trainable. The reason is that the new densely connected "
        "layers are initialized randomly; during the first epochs very large weight updates would be "
        "propagated through the network and the representations previously learned by the base would "
        "be destroyed. Freezing also greatly reduces the number of trainable parameters, so training "
        "is faster and needs less memory.",
        "111",
        "prose",
    ),
    A("Transfer learning reuses a network pretrained on ImageNet.", "000", "neighbour"),
    A(
        "otherwise the big updates frorn the untrained c1assifier wou1d damage the 1earned "
        "representations",
        "010",
        "ocr",
    ),
    A("weights fixed, features preserved, faster training", "101", "terse"),
    A(
        "We freeze the base because the convolutional layers are already overfitted to ImageNet, and "
        "freezing removes this overfitting by resetting their weights.",
        "000",
        "wrong",
    ),
    A(
        "Tbe pretrained base has learned usefu1 features. If we train it together witb a random1y "
        "initia1ized head, the huge gradients at the start destroy these features. So we freeze it: "
        "its weights stay the sarne during training.",
        "110",
        "ocr",
    ),
    A(
        "So the pretrained weights are not destroyed by the large gradients of the random new head.",
        "010",
        "short",
    ),
)
