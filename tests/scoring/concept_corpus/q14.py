"""q14 — transfer learning. Key points: (1) reuse a model pretrained on a large dataset (ImageNet)
for a new, related task; (2) the pretrained conv base kept as feature extractor, a new classifier
head replaces the output layers; (3) helps with limited data or compute: faster, better than
training from scratch."""

from tests.scoring.concept_corpus import A

ANSWERS = (
    A(
        "Transfer learning takes a network that was already trained on a big dataset like ImageNet "
        "and reuses it for our own problem. We keep its convolutional base as a feature extractor and "
        "replace the old classifier with a new dense head for our classes. Because the features are "
        "already learned, we need much less data and training time and usually get better accuracy "
        "than training from scratch.",
        "111",
        "prose",
    ),
    A(
        "- use pretrained model (ImageNet)\n- keep conv base, new head\n- less data/time needed, "
        "better than from scratch",
        "111",
        "bullets",
    ),
    A("We use a model pretrained on ImageNet, like VGG16, for a different task.", "100", "partial"),
    A(
        "The convolutional part of VGG16 is kept and a new fully connected classifier is added on "
        "top.",
        "010",
        "partial",
    ),
    A(
        "Transfer learning means transferring the weights of our trained model to a new randomly "
        "initialized model so that both models have the same accuracy; it is used when we have a lot "
        "of data.",
        "000",
        "wrong",
    ),
    A(
        "Transfer learning is when a model trained on our dataset is transferred to a different "
        "computer or GPU so it can be run faster; the weights are copied and the head is removed.",
        "000",
        "wrong",
    ),
    A(
        "Transfer 1earning: take a pretrained mode1 (e.g. on lmageNet) and reuse it for a new task. "
        "Keep the conv base as feature extractor and add a new c1assifier head. Saves trainig time "
        "and works with less data.",
        "111",
        "ocr",
    ),
    A("reuse pretrained weights", "100", "short"),
    A(
        "We don't need to train from scratch: the pretrained ImageNet features are reused and only a "
        "new classifier on top is trained.",
        "111",
        "negation",
    ),
    A(
        "Features learned on ImageNet (edges, textures, object parts) are useful for many other vision "
        "tasks. So instead of learning them again we download a pretrained network, chop off its last "
        "dense layers and put a small classifier for our two classes on top. This works even with a "
        "few thousand images and trains in minutes.",
        "111",
        "prose",
    ),
    A("We freeze the base so that its weights are not updated.", "000", "neighbour"),
    A(
        "It is useful when we have little data, because training a big network from scratch would "
        "overfit.",
        "001",
        "partial",
    ),
    A(
        "Unlike training from scratch, transfer learning starts from weights pretrained on a large "
        "dataset, so it converges faster and needs fewer labelled images.",
        "101",
        "contrast",
    ),
    A("pretrained base + new head; good for small data", "111", "terse"),
    A(
        "Transfer learning means that the knowledge learned by the head is transferred to the "
        "convolutional base, so the base becomes a better classifier and we can remove the head.",
        "000",
        "wrong",
    ),
    A(
        "we use a netvvork pre-trained on imagenet and replace the top 1ayers with our own "
        "c1assifier. this is faster than training frorn scratch",
        "111",
        "ocr",
    ),
    A(
        "A model trained on a large dataset is reused: its convolutional layers are kept and its "
        "classifier is replaced by a new one for our task.",
        "110",
        "partial",
    ),
    A("use ImageNet model", "100", "short"),
    A(
        "Transfer learning is used when we have a lot of data and a lot of compute, because the "
        "pretrained model is bigger and slower to train than a model from scratch.",
        "000",
        "wrong",
    ),
    A(
        "Transfer learning: the knowledge a network acquired on a source task with lots of data "
        "(ImageNet classification) is transferred to a target task with less data. Concretely, we "
        "take the convolutional base of VGG16 with its ImageNet weights, use it to extract features "
        "from our images, and train a new densely connected classifier on these features. The result "
        "is much more accurate than a small convnet trained from scratch on 2000 images, and training "
        "is quick.",
        "111",
        "prose",
    ),
    A(
        "It does not reuse any weights; it only reuses the architecture of a known network and trains "
        "it again.",
        "000",
        "negation",
    ),
    A(
        "After training the head we unfreeze the last block and train with a small learning rate.",
        "000",
        "neighbour",
    ),
    A(
        "* source model: pretrained on ImageNet\n* target: our dataset (cats vs dogs)",
        "100",
        "bullets",
    ),
    A("pretrainde model reused for another task -> less data needed", "101", "ocr"),
    A(
        "We only train a new classifier on top of the frozen convolutional base, which is much "
        "cheaper in time and GPU than training everything from scratch.",
        "011",
        "partial",
    ),
    A(
        "The motivation: deep networks need a lot of data. If someone has trained a network on 1.2M "
        "ImageNet images, its early and middle layers have learned general visual features. We can "
        "reuse these for our own classification problem by keeping the pretrained layers and adding "
        "a new output layer with the right number of classes. We get good accuracy with little data "
        "and little computation.",
        "111",
        "prose",
    ),
)
