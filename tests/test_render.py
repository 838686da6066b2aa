"""What a cell may hold reaches a terminal, a markdown file or a chat as plain text (issue 10, point 6)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handover.printable import printable
from handover.render.environment import Rendered, fenced, markdown_text, render, single_line


def test_colour_codes_typed_into_a_cell_are_taken_out():
    assert printable("\x1b[31m红色\x1b[0m 加急") == "红色 加急"


def test_a_cell_that_would_clear_the_screen_or_retitle_the_window_prints_as_its_text():
    assert printable("\x1b[2J\x1b[H\x1b]0;已付款\x07少发一件\x1bc") == "少发一件"
    assert printable("\x1b]8;;http://evil.example/\x1b\\点这里\x1b]8;;\x1b\\") == "点这里"


def test_carriage_returns_backspaces_and_bidi_overrides_cannot_hide_text():
    assert printable("已完成\r待处理\x08\x08 \u202e看我\u202c") == "已完成待处理 看我"


def test_newlines_tabs_and_chinese_text_are_kept():
    assert printable("第一行\n\t第二行：江浙沪包邮！") == "第一行\n\t第二行：江浙沪包邮！"


@given(st.text())
def test_nothing_printable_leaves_can_drive_a_terminal(text):
    clean = printable(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", clean)
    assert printable(clean) == clean


def test_html_typed_into_a_cell_shows_as_text_in_markdown():
    assert markdown_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_pipe_typed_into_a_cell_does_not_end_the_markdown_cell():
    assert markdown_text("红色|XL") == "红色\\|XL"
    assert markdown_text("C:\\\\|x") == "C:\\\\\\|x"  # an escaped backslash before the pipe does not escape it


@given(st.text())
def test_markdown_escaping_twice_changes_nothing(text):
    once = markdown_text(text)
    assert markdown_text(once) == once
    assert "<" not in once and not re.search(r"(?<!\\)(\\\\)*\|", once)


def test_text_to_paste_keeps_its_backticks_inside_a_longer_fence():
    assert fenced("订单 `123`\n```\n<b>") == "````text\n订单 `123`\n```\n<b>\n````"


def test_every_template_value_is_printable_and_markdown_ones_escaped(tmp_path):
    (tmp_path / "t.md.j2").write_text("| {{ cell }} | {{ [cell, 'x']|join(' ') }} |\n", encoding="utf-8")
    (tmp_path / "t.txt.j2").write_text("{{ cell }}\n", encoding="utf-8")
    cell = "\x1b[31m<i>红|蓝</i>"
    assert render("t.md.j2", tmp_path, cell=cell) == "| &lt;i&gt;红\\|蓝&lt;/i&gt; | &lt;i&gt;红\\|蓝&lt;/i&gt; x |\n"
    assert render("t.txt.j2", tmp_path, cell=cell) == "<i>红|蓝</i>\n"


# ------------------------------------------------------------------------------- the JSON writer

_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(), st.integers(), st.decimals(allow_nan=False, allow_infinity=False,
              places=2).map(str),
              st.floats(min_value=1e-4, max_value=1e15) | st.floats(min_value=-1e15, max_value=-1e-4) | st.just(0.0)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_the_json_writer_writes_what_the_standard_library_writes(data):
    import json

    from handover.printable import json_escaped
    from handover.render.views import dumps

    assert dumps(data) == json_escaped(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def test_the_json_writer_writes_what_orjson_refuses():
    from handover.render.views import dumps

    assert dumps({"row": 2**70, 3: "三"}) == '{"row":1180591620717411303424,"3":"三"}\n'


def test_json_already_encoded_has_the_same_controls_escaped():
    from handover.printable import json_escaped, json_escaped_utf8

    for code in [*range(0x3000), *range(0xfe00, 0x10000), 0x1f600]:
        if 0xd800 <= code < 0xe000:
            continue
        text = f'"a{chr(code)}b"'
        assert json_escaped_utf8(text.encode()) == json_escaped(text).encode(), hex(code)


def test_select_keeps_the_values_set_and_still_takes_a_test():
    from handover.render.environment import environment

    template = environment(None).from_string("{{ ['', 'a', None, 'b']|select|join('-') }}|{{ [0, 1, 2, 3]|select('odd')|join(',') }}")
    assert template.render() == "a-b|1,3"


@pytest.mark.parametrize("typed, shown", [
    ("浙江省杭州市滨江区江南大道 588 号\n3 幢 12 楼", "浙江省杭州市滨江区江南大道 588 号 3 幢 12 楼"),
    ("少发一条腰带\r\n买家很急", "少发一条腰带，买家很急"),
    ("少发一条腰带\r买家很急", "少发一条腰带，买家很急"),
    ("宁波市鄞州区\u2028天童南路 1 号", "宁波市鄞州区，天童南路 1 号"),
    ("买家说：\n  今天要\n\n\n", "买家说：今天要"),
    ("缺货。\n\u2029退款", "缺货。退款"),
    ("size M\nplease", "size M please"),
    ("\n\n只有一行", "只有一行"),
    ("第一行\t\x0b第二行\x85第三行", "第一行，第二行，第三行"),
])
def test_a_line_break_typed_into_a_cell_becomes_a_space_or_comma(typed, shown):
    assert single_line(typed) == shown


@given(st.text())
def test_one_line_is_one_line(text):
    assert len((single_line(text) + "x").splitlines()) == 1


def test_a_shop_template_printing_a_cell_cannot_forget_the_line_breaks(tmp_path):
    """Every text a template reads comes on one line: from the context, from a record's attribute, from a
    dict or a list of reasons. Text rendered by a template keeps its own lines."""
    from dataclasses import dataclass

    @dataclass
    class Row:
        detail: str
        reasons: list

    (tmp_path / "t.txt.j2").write_text("{{ cell }}|{{ row.detail }}|{{ table['x'] }}|{{ row.reasons|join('；') }}\n"
                                       "{{ block }}", encoding="utf-8")
    block = render("t.txt.j2", tmp_path, cell="a\nb", row=Row("少发\n袜子", ["缺\n货"]), table={"x": "c\r\nd"}, block="")
    assert block == "a b|少发，袜子|c d|缺，货\n"
    again = render("t.txt.j2", tmp_path, cell="", row=Row("", [""]), table={"x": ""}, block=Rendered(block + block))
    assert again == "|||\na b|少发，袜子|c d|缺，货\na b|少发，袜子|c d|缺，货\n"
