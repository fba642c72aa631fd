"""Keyword lists of the hw4 concept questions (rubrics/hw4.toml) against realistic answers.

For every concept question: a full answer in a student's own words covers all
key points, a partial answer covers exactly the expected ones, a fluent but
wrong answer covers at most one, and an answer with OCR noise (letters
dropped or swapped in the words around the keywords) still covers all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.kinds.concept import ConceptQuestion
from grader.rubric import Rubric, load_rubric
from grader.scoring.concepts import (
    CompiledKeyPoint,
    compile_key_points,
    normalise,
    suggest_key_points,
)

RUBRIC_PATH = Path(__file__).resolve().parents[2] / "rubrics" / "hw4.toml"


@dataclass(frozen=True)
class Answers:
    full: str
    partial: str
    partial_covers: tuple[bool, ...]
    wrong: str
    wrong_covers: tuple[bool, ...]
    noisy: str


T, F = True, False

CASES: dict[str, Answers] = {
    "q4": Answers(
        full=(
            "A convolution kernel can be viewed as a small template of the feature we want to find. "
            "We slide it across the input and at every location compute the elementwise product with "
            "the underlying patch and add everything up. When the patch looks like the kernel the sum "
            "gets large, so the output map lights up wherever the template appears in the picture."
        ),
        partial=(
            "The filter weights are the template of what we search for, and we compute a dot product "
            "between the filter and each patch of the image as we slide it."
        ),
        partial_covers=(T, T, F),
        wrong=(
            "Convolution is a template matching operation because the output is always the same size "
            "as the template, and the kernel is flipped before it is applied."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Tbe filter is a templete of the pattern we are lokking for. It is slid ovr the imgae and "
            "at each position we take the dot product with the patch benath it. Where the patch "
            "resembles the filtr the respons is high, so the map shows were the objcet is."
        ),
    ),
    "q5": Answers(
        full=(
            "Rather than making the kernel bigger, we keep a small fixed 3x3 filter and repeatedly "
            "downsample the image (halving it each time), which gives an image pyramid. On a coarser "
            "level one filter application corresponds to a much larger area of the original picture. "
            "So a small object is picked up at the fine levels while a big object is detected at the "
            "level where its size fits the filter."
        ),
        partial=(
            "We keep the convolution kernel fixed and build a pyramid by downsampling the input "
            "several times, then run the same filter on every level."
        ),
        partial_covers=(T, F, F),
        wrong=(
            "Multi-scale analysis means using filters of different sizes, 3x3, 5x5 and 7x7, on the "
            "full-resolution image and averaging their outputs, which gives a larger receptive field."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Insted of using bigger kernals, the filter stays fixed and we downsample the imgae again "
            "and agian to get a pyramd. On a coarser levl each filtr position sees a larger region "
            "of the orignal picture, so small and large objects get detected at whichever level "
            "fits their size."
        ),
    ),
    "q6": Answers(
        full=(
            "When we pool and shrink the feature maps we throw away spatial detail, so adding more "
            "filters makes up for that and keeps the information in the channels. It also keeps the "
            "cost per layer roughly the same: halving H and W while doubling the channels keeps the "
            "FLOPs comparable. Finally, deeper layers need many more channels because they have to "
            "encode a larger variety of complex combinations of the simple features from earlier."
        ),
        partial=(
            "Reducing resolution loses information, and we compensate by having more channels. "
            "Deeper layers also represent more abstract features, so they need more filters."
        ),
        partial_covers=(T, F, T),
        wrong=(
            "Depth is increased so that the network becomes slower and uses more memory, which makes "
            "the gradients larger and the training more accurate."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Whan the spatal size is reducd we lose information, so more chanels compensate. It kepps "
            "the computation per layr roughly balanced. Deeper layers need to represnt more complex "
            "combinations of featurs."
        ),
    ),
    "q9": Answers(
        full=(
            "A 1x1 kernel has depth equal to the number of input channels, so at each pixel it just "
            "takes a weighted sum across the channels and ignores the neighbouring pixels. Every such "
            "kernel produces one output feature map, so if we apply fewer kernels than we have input "
            "channels the depth shrinks. H and W stay the same, e.g. 28x28x192 with 32 of these "
            "becomes 28x28x32."
        ),
        partial=(
            "The 1x1 convolution mixes the information across channels at every position without any "
            "spatial mixing, and the height and width of the output are unchanged."
        ),
        partial_covers=(T, F, T),
        wrong=(
            "A 1x1 convolution reduces the number of channels by max-pooling over the image, which "
            "halves the width and height of every feature map."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "A 1x1 filtr looks at all channels of one pixel and computes a weighted sum of them, "
            "withuot neighbours. We get one output channel per filter, so with fewer filters than "
            "imput channels the depth goes down. Width and heigth are unchanged."
        ),
    ),
    "q10": Answers(
        full=(
            "Each conv layer is a bank of learned detectors: a kernel fires when it sees its pattern "
            "and the result is a feature map. The first layers pick up simple things like edges, "
            "colour blobs and textures, and the later layers put those together into more abstract "
            "things, such as eyes, wheels or entire objects."
        ),
        partial=(
            "Convolutional layers act as feature extractors. Early layers respond to edges and simple "
            "textures."
        ),
        partial_covers=(T, T, F),
        wrong=(
            "Convolution layers are just a fixed blur that smooths the picture to remove noise; all "
            "of them do the same thing regardless of where they sit in the network."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Convolution layers are feature extractors, every filtr responds to one patern and "
            "outputs a feature map. Early layres detect edges and colours; deeper layres detect "
            "object parts and whole objects by combinig the earlier ones."
        ),
    ),
    "q12": Answers(
        full=(
            "Pooling shrinks each feature map in H and W, e.g. a 2x2 window with stride 2 halves the "
            "spatial size. The next layers therefore have less work to do and the dense part ends up "
            "with fewer weights, and the pooling layer itself learns nothing. With max pooling only "
            "the largest value in each window survives, so we keep the information that a feature is "
            "present somewhere there and become robust to small shifts."
        ),
        partial="Pooling reduces the width and height of the feature maps, for example from 32x32 to 16x16.",
        partial_covers=(T, F, F),
        wrong=(
            "Pooling adds trainable weights that combine neighbouring channels, which increases the "
            "depth of the network and makes it more expressive."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Poolng downsamples the feature mpas, so the width and hieght get smaller. This reduces "
            "the computation in the layers aftr it, and pooling has no learnable parametrs. Max "
            "pooling kepes the strongest activaton per window, which gives some invariance to small "
            "translations."
        ),
    ),
    "q13": Answers(
        full=(
            "Augmentation means generating modified copies of our training pictures on the fly, e.g. "
            "random horizontal flips, small rotations, random crops or brightness changes, which "
            "don't change the label. Because the network never sees exactly the same picture twice "
            "it memorises less and generalises better. It pays off most when we only have a few "
            "hundred labelled images."
        ),
        partial=(
            "We apply small rotations and flips to generate new images from the ones we have; this "
            "reduces overfitting."
        ),
        partial_covers=(T, T, F),
        wrong=(
            "Data augmentation is collecting more real photos from the internet and adding them to "
            "the test set so that the measured accuracy goes up."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Data augmentaton artificially creates more trainng examples by random flips, rotations "
            "and crops that kep the label. The modle then overfits less and generalises beter. It is "
            "most usefull when the dataset is small."
        ),
    ),
    "q14": Answers(
        full=(
            "Instead of starting with random weights we take a network that was already trained on "
            "a huge dataset such as ImageNet and reuse it for our own problem. We keep its "
            "convolutional layers as a generic feature extractor and drop the original classifier, "
            "putting a fresh dense head on top for our classes. Since most of the knowledge is "
            "already there, we need far less data and training time and usually end up with better "
            "accuracy than a network trained from scratch."
        ),
        partial=(
            "Transfer learning takes a model pretrained on ImageNet and applies it to a new but "
            "related task. This is useful when we don't have much data, because it trains faster and "
            "beats a network trained from scratch."
        ),
        partial_covers=(T, F, T),
        wrong=(
            "Transfer learning means copying the test labels into the training set so the network "
            "can learn them, which is a way to avoid overfitting."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Transfer lerning reuses a modle pretrained on a big datset like ImageNet for a new "
            "task. We keep the convolutional base as a feature extractor and replace the classifer "
            "head by a new one. It saves training time and works better than trainig from scratch "
            "when data is limited."
        ),
    ),
    "q15": Answers(
        full=(
            "We set requires_grad = False on the VGG layers so their weights stay fixed while we "
            "train. The new classifier starts from random weights, so at the beginning its errors "
            "are huge and the gradients flowing back would wreck the filters the base learned on "
            "ImageNet. As a bonus only the head's parameters are optimised, so each epoch is quicker "
            "and there is less risk of overfitting."
        ),
        partial=(
            "Freezing means the convolutional base's weights are not updated during training, so "
            "they stay as they were learned on ImageNet."
        ),
        partial_covers=(T, F, F),
        wrong=(
            "We freeze the base so that its learning rate becomes larger, which makes training of "
            "the whole network more aggressive and more accurate."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Frezing keeps the pretraind weights fixed, they are not updated in backpropogation. "
            "Otherwise the randomly initialized head sends large gradients that destroy the learnd "
            "features. Also fewer parameters are trained, so training is faster."
        ),
    ),
    "q16": Answers(
        full=(
            "Once the new classifier has converged with the base frozen, we unfreeze the last "
            "convolutional block of VGG16 and continue training it together with the head, using a "
            "very low learning rate such as 1e-5. That way the high-level filters get adjusted to "
            "our cats-vs-dogs data, while the early generic filters remain frozen."
        ),
        partial=(
            "After the head is trained, we unfreeze the top few layers of the base and train them "
            "again with a small learning rate."
        ),
        partial_covers=(T, T, F),
        wrong=(
            "Fine-tuning means training the whole network from scratch with a high learning rate "
            "after deleting the pretrained weights."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Aftr the head is trained, we unfreeze the last conv blok of the base. Those layers are "
            "trained togeter with the head using a small learning rate. This adapts the high levl "
            "features to the new dataset whle early layers stay frozen."
        ),
    ),
    "q17": Answers(
        full=(
            "An inception module runs 1x1, 3x3 and 5x5 convolutions plus a max-pool side by side on "
            "the same input and stacks their outputs along the channel axis. So we don't have to "
            "decide on a kernel size ourselves: the network sees several receptive fields at once "
            "and learns which is most useful. To keep this affordable, 1x1 convs are placed before "
            "the 3x3 and 5x5 ones to cut down the number of channels, which saves a lot of "
            "computation."
        ),
        partial=(
            "In an inception block several convolutions with different kernel sizes are applied in "
            "parallel and the results are concatenated. This way the network doesn't need us to pick "
            "a single filter size."
        ),
        partial_covers=(T, T, F),
        wrong=(
            "An inception block is simply a very deep stack of 3x3 convolutions applied one after "
            "the other, which makes the network slower but more accurate."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "An inceptoin block aplies 1x1, 3x3 and 5x5 convolutions and pooling in parallel and "
            "concatenates the outputs. We dont need to choose a filtr size since trainng figures "
            "out wich branch matters. 1x1 convolutions reduce the number of channels befor the big "
            "convolutions, so there are fewer parameters."
        ),
    ),
    "q18": Answers(
        full=(
            "A residual block has a shortcut that carries x around the conv layers and adds it to "
            "their result, so the layers only learn F(x) = H(x) - x. If those extra layers aren't "
            "useful, their weights can go to zero and the block behaves like the identity, so "
            "stacking more layers doesn't make the network worse. During backprop the gradient also "
            "travels straight through the shortcut, which fights vanishing gradients and lets us "
            "train networks with over 100 layers."
        ),
        partial=(
            "Skip connections add the input of the block to its output, and they let gradients flow "
            "backwards without vanishing, so we can train very deep networks."
        ),
        partial_covers=(T, F, T),
        wrong=(
            "Residual blocks remove the need for activation functions and batch normalisation, and "
            "they reduce the number of parameters by sharing the same weights in every layer."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "The skip connction adds the imput x to the output of the blcok, so the block only "
            "learns the residul. It can easily learn the identity, so extra layers dont hurt. "
            "Gradients flow drectly through the shortcut, avoiding vanishing gradients."
        ),
    ),
    "q19": Answers(
        full=(
            "In PyTorch I register forward hooks on the conv layers (or build a second model that "
            "returns their outputs) so I can grab the feature maps. Then I pass one test picture "
            "through the network and draw every channel of each captured map as a small grayscale "
            "image in a grid. Looking at them helps to understand what each filter has learned and "
            "how the representation becomes more abstract with depth, and it is handy for debugging."
        ),
        partial=(
            "We feed an image through the network and plot the channels of some layers as images. "
            "This helps us understand what features the network detects."
        ),
        partial_covers=(F, T, T),
        wrong=(
            "We print the weights of the dense layers as numbers and compute their mean, to check "
            "that the optimizer converged."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "We buld a new model that returns the activations of intermediat layers. Then we feed an "
            "imgae and plot each channel of every layer as an image. It shows us how the imput gets "
            "transformd layer by layer and helps to interpret the netwrok."
        ),
    ),
    "q20": Answers(
        full=(
            "We begin with a grey image with a bit of random noise. The objective is the mean "
            "activation of one chosen filter in some conv layer; we backpropagate to get its "
            "gradient w.r.t. the pixels of the input and take small steps uphill, i.e. gradient "
            "ascent, for a few dozen iterations. What comes out is the input that excites that "
            "filter the most, so we can see what it has learned: simple edges and colours in early "
            "layers, intricate textures in deeper ones."
        ),
        partial=(
            "Start from a random noise image, define the loss as the average activation of a filter "
            "and do gradient ascent on the input image."
        ),
        partial_covers=(T, T, F),
        wrong=(
            "We take a training image of a cat and use gradient descent to minimise the "
            "classification loss with respect to the weights, then plot those weights."
        ),
        wrong_covers=(F, F, F),
        noisy=(
            "Start from a randm noise image. Our loss is the mean activation of the chosen filtr; we "
            "take its gradient wrt the imput pixels and add it to the image (gradient ascent) for "
            "many steps. The final picture shows the patern this filter likes most, e.g. edges in "
            "early layrs and textures deeper."
        ),
    ),
    "q21": Answers(
        full=(
            "Grad-CAM tells us which parts of the image the network relied on when it predicted, "
            "say, 'dog', which is useful for explaining or debugging a classifier. We run the image "
            "forward, take the logit of that class and backpropagate it to the activations of the "
            "last conv layer. The gradients are globally average-pooled per channel to give one "
            "importance weight per feature map; we multiply each map by its weight, add them up and "
            "apply a ReLU. Finally the small heatmap is upsampled to the input resolution, "
            "normalised to [0, 1] and overlaid on the photo with some transparency."
        ),
        partial=(
            "The class activation heatmap highlights the regions that were most important for the "
            "predicted class. It is resized to the image size and superimposed on the original image."
        ),
        partial_covers=(T, F, F, T),
        wrong=(
            "Grad-CAM computes the gradient of the loss with respect to the weights of the last "
            "conv layer and uses it to update the model, so the network focuses on the right region "
            "of the image for each class."
        ),
        # "gradient ... with respect to the weights" is a listed misconception of q21: the
        # sentence is no evidence (it used to credit "focuses on the right region").
        wrong_covers=(F, F, F, F),
        noisy=(
            "Grad-CAM shows which regions of the imgae were most important for the predicted class. "
            "We run the picture forward, backpropagate the class score into the feature maps of "
            "the last conv layr and average those gradients per channel. Every feature map is then "
            "multiplied by its weight and everything is summed. At the end the heatmap is "
            "normalized, upsampled to the picture size and overlaid on the orignal image."
        ),
    ),
}

QUESTION_IDS = sorted(CASES, key=lambda qid: int(qid[1:]))


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(RUBRIC_PATH)


@pytest.fixture(scope="module")
def compiled(rubric: Rubric) -> dict[str, tuple[CompiledKeyPoint, ...]]:
    return {
        qid: compile_key_points(question)
        for qid, question in rubric.questions.items()
        if isinstance(question, ConceptQuestion)
    }


def covered(answer: str, key_points: tuple[CompiledKeyPoint, ...]) -> tuple[bool, ...]:
    return suggest_key_points(answer, key_points).covered


def test_every_concept_question_has_answers(compiled: dict) -> None:
    assert set(compiled) == set(CASES)


def test_total_points_is_the_sum_of_question_points(rubric: Rubric) -> None:
    assert rubric.written_points == sum(q.points for q in rubric.questions.values()) == 63


def test_each_key_point_is_worth_one_point(rubric: Rubric) -> None:
    for qid in CASES:
        question = rubric.questions[qid]
        assert isinstance(question, ConceptQuestion)
        assert all(kp.points == 1 for kp in question.key_points)
        assert question.points == (4 if qid == "q21" else 3)


def test_keywords_are_written_as_the_matcher_sees_text(rubric: Rubric) -> None:
    """Lower-case, no hyphens or punctuation, `*` only at the end, `~`/`!` only at the start."""
    for qid in CASES:
        question = rubric.questions[qid]
        assert isinstance(question, ConceptQuestion)
        for kp in question.key_points:
            for group in kp.keywords:
                assert len(set(group)) == len(group), (qid, group)
                for keyword in group:
                    stem = keyword.rstrip("*").removeprefix("~").removeprefix("!")
                    assert "*" not in stem and "~" not in stem and "!" not in stem, (qid, keyword)
                    assert normalise(stem).strip() == stem, (qid, keyword)


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_answers_are_written_in_own_words(rubric: Rubric, qid: str) -> None:
    """No answer copies six consecutive words of a key point, so the keywords are really tested."""
    question = rubric.questions[qid]
    assert isinstance(question, ConceptQuestion)
    answers = CASES[qid]
    for kp in question.key_points:
        words = normalise(kp.text).split()
        for start in range(len(words) - 5):
            run = " " + " ".join(words[start : start + 6]) + " "
            for answer in (answers.full, answers.partial, answers.wrong, answers.noisy):
                assert run not in normalise(answer), (qid, run)


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_full_answer_covers_every_key_point(compiled: dict, qid: str) -> None:
    result = covered(CASES[qid].full, compiled[qid])
    assert result == (True,) * len(compiled[qid])


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_partial_answer_covers_exactly_the_expected_key_points(compiled: dict, qid: str) -> None:
    answers = CASES[qid]
    assert len(answers.partial_covers) == len(compiled[qid])
    assert any(answers.partial_covers)
    assert not all(answers.partial_covers)
    assert covered(answers.partial, compiled[qid]) == answers.partial_covers


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_wrong_answer_covers_at_most_one_key_point(compiled: dict, qid: str) -> None:
    answers = CASES[qid]
    assert len(answers.wrong_covers) == len(compiled[qid])
    assert sum(answers.wrong_covers) <= 1
    assert covered(answers.wrong, compiled[qid]) == answers.wrong_covers


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_answer_with_ocr_noise_still_covers_every_key_point(compiled: dict, qid: str) -> None:
    result = covered(CASES[qid].noisy, compiled[qid])
    assert result == (True,) * len(compiled[qid])


@pytest.mark.parametrize(
    "answer",
    [
        "Off topic: the submission deadline is Friday and the notebook runs on the lab GPU.",
        "I don't know.",
        "",
    ],
)
@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_off_topic_answer_covers_nothing(compiled: dict, qid: str, answer: str) -> None:
    assert not any(covered(answer, compiled[qid]))


def test_q10_swapped_early_and_deep_layers_is_not_credited(compiled: dict) -> None:
    """Anchored key points: an early-layer point is not read across the deep layers' words."""
    answer = (
        "Early layers already detect whole objects such as faces, while the deeper layers only "
        "respond to edges and colours."
    )
    assert covered(answer, compiled["q10"])[1:] == (False, False)


def test_q9_shape_example_alone_covers_the_size_key_point(compiled: dict) -> None:
    answer = "Use 32 filters of size 1x1x192: 28x28x192 -> 28x28x32."
    assert covered(answer, compiled["q9"]) == (False, True, False)
    with_shape = suggest_key_points(answer, compiled["q9"], has_shape_example=True)
    assert with_shape.covered == (False, True, True)
    assert "(shape example)" in with_shape.evidence[2]["keywords"]


def test_q9_unicode_times_in_1x1_is_matched(compiled: dict) -> None:
    answer = (
        "A 1×1×192 filter takes a weighted sum of the input values; each filter gives one output "
        "channel, and the height and width stay the same."
    )
    result = suggest_key_points(answer, compiled["q9"])
    assert result.covered == (True, True, True)
    assert "1×1×192" in result.evidence[0]["keywords"]


def test_evidence_names_the_matching_keywords(compiled: dict) -> None:
    result = suggest_key_points(CASES["q18"].full, compiled["q18"])
    first = result.evidence[0]
    assert first["covered"]
    assert "shortcut" in first["keywords"]
    assert re.search(r"shortcut", first["sentence"])
    assert result.suggested_points == 3
