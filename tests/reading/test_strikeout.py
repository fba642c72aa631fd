from grader.reading.strikeout import remove_struck_out


def test_removes_markdown_strikethrough_even_across_lines():
    assert remove_struck_out("a ~~wrong~~ b") == "a  b"
    assert remove_struck_out("keep\n~~9 18\n18 27~~\n45 45") == "keep\n\n\n45 45"


def test_removes_latex_strikeouts_with_nested_braces():
    assert remove_struck_out("x \\sout{old {nested} text} y") == "x  y"
    assert remove_struck_out("x \\st{old} y") == "x  y"


def test_removes_html_strikeouts():
    assert remove_struck_out("a <del>b</del> <s>c</s> <S class='x'>d</S> e") == "a    e"


def test_leaves_unmatched_markers_and_other_text_alone():
    text = "about ~~ 5, \\sout{unclosed, <del>open"
    assert remove_struck_out(text) == text
    assert remove_struck_out("~ approx 5 ~") == "~ approx 5 ~"
