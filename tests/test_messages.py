"""Courier messages, the warehouse list and the call list, from the fixture workbook.

Goldens live in tests/data/messages/golden/; regenerate them with
`UPDATE_GOLDEN=1 pytest tests/test_messages.py tests/test_summary.py` and read the diff before committing.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import conftest
import pytest
from freezegun import freeze_time

from handover.backends.xlsx import XlsxBackend
from handover.errors import ConfigError
from handover.messages import (
    UnknownCourierError,
    build_messages,
    call_list,
    courier_messages,
    message_settings,
    warehouse_list,
)
from handover.model.config import parse_config
from handover.model.handover_tab import parse_handover
from handover.render.environment import TemplateError
from handover.render.views import (
    courier_copy_text,
    messages_json,
    render_calls,
    render_courier,
    render_messages,
    render_warehouse,
)

DATA = Path(__file__).parent / "data" / "messages"
GOLDEN = DATA / "golden"
MORNING = "2026-11-23 01:05:00"  # UTC: 09:05 in Shanghai, the morning after the fixture's last night


def check_golden(name: str, text: str) -> None:
    conftest.check_golden(GOLDEN / name, text)


@pytest.fixture
def config(shop_config):
    return shop_config


@pytest.fixture
def items(config):
    return conftest.shop_items(config, MORNING)


def by_id(batch_items, id_):
    return next(i for i in batch_items if i.id == id_)


# ------------------------------------------------------------------------------------------ fixtures

def test_fixture_workbook_matches_its_script(tmp_path):
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = XlsxBackend(module.build(tmp_path / "fresh.xlsx")).read(["交接"])["交接"]
    committed = XlsxBackend(DATA / "handover.xlsx").read(["交接"])["交接"]
    assert fresh.header == committed.header
    assert fresh.rows == committed.rows, "handover.xlsx is stale: run tests/data/messages/make_fixtures.py"


# ------------------------------------------------------------------------------------------- goldens

@freeze_time(MORNING)
def test_golden_courier_messages(items, config):
    batch = courier_messages(items, config)
    check_golden("courier.txt", render_courier(batch))
    check_golden("courier_copy.txt", courier_copy_text(batch))


@freeze_time(MORNING)
def test_golden_one_courier(items, config):
    check_golden("courier_sto.txt", render_courier(courier_messages(items, config, courier="申通快递")))


@freeze_time(MORNING)
def test_golden_warehouse_and_calls(items, config):
    check_golden("warehouse.txt", render_warehouse(warehouse_list(items, config)))
    check_golden("calls.txt", render_calls(call_list(items, config)))


@freeze_time(MORNING)
@pytest.mark.parametrize("fmt, name", [("text", "messages.txt"), ("markdown", "messages.md")])
def test_golden_pull_section(items, config, fmt, name):
    check_golden(name, render_messages(build_messages(items, config), fmt))


@freeze_time(MORNING)
def test_golden_json(items, config):
    data = messages_json(build_messages(items, config))
    check_golden("messages.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ----------------------------------------------------------------------------- what couriers receive

def test_each_request_carries_what_it_needs(items, config):
    batch = courier_messages(items, config)
    texts = {m.courier.key: m for m in batch.messages}
    render_courier(batch)

    sto = texts["sto"].text
    # Address change: waybill, original address, new address, buyer name and phone.
    for needed in ("773277027280336", "浙江省杭州市西湖区文三路 100 号", "浙江省杭州市滨江区江南大道 588 号 3 幢",
                   "张晓梅", "13812345678"):
        assert needed in sto
    assert "申通余杭网点 王师傅，您好！" in sto

    zto = texts["zto"].text
    # Intercept without a new address goes back to the shop's return address from handover.toml.
    assert "退回地址：浙江省杭州市余杭区良睦路 88 号" in zto and "78312345678901" in zto
    yunda = texts["yunda"].text
    # ...and with one, to that address; this courier has its own sign-off.
    assert "退回地址：广东省东莞市长安镇振安路 66 号 小鹿二仓" in yunda and "良睦路" not in yunda
    assert yunda.rstrip().endswith("小鹿服饰 售后阿梅")

    # Weight query: the waybill number, nothing about the buyer.
    yto = texts["yto"].text
    assert "YT8962646785389" in yto
    assert "刘洋" not in yto and "13800000005" not in yto and "地址" not in yto

    # An intercept without a waybill number goes out with the order number.
    assert "订单号：JD2611220000018" in texts["jd"].text


def test_messages_paste_cleanly_into_qq(items, config):
    batch = courier_messages(items, config)
    render_courier(batch)
    for message in batch.messages:
        text = message.text
        assert text.endswith("\n") and not text.endswith("\n\n")
        assert not re.search(r"[ \t]+$", text, re.MULTILINE), f"trailing spaces in {message.courier.name}"
        assert "\n\n\n" not in text
        assert not re.search(r"^(#|>|```|\* |- )|\*\*", text, re.MULTILINE), "markdown in a QQ message"
        # Full-width punctuation next to Chinese: no ASCII colon, comma, bang or brackets there.
        assert not re.search(r"[\u4e00-\u9fff][,:;!?()]|[,:;!?()][\u4e00-\u9fff]", text)


def test_row_missing_a_field_is_listed_under_its_message_never_sent(items, config):
    batch = courier_messages(items, config)
    output = render_courier(batch)
    sto = next(m for m in batch.messages if m.courier.key == "sto")
    assert [n.item.id for n in sto.left_out] == ["H20261122-006"]
    assert "773277027280440" not in sto.text  # its waybill is not in the message
    notes = output.split(sto.text, 1)[1]
    assert "以下几条信息不全，未放进消息：" in notes
    assert "改地址，第 20 行（H20261122-006）：改地址需要新地址" in notes


def test_unknown_courier_rows_get_their_own_block(items, config):
    batch = courier_messages(items, config)
    assert [n.item.id for n in batch.unknown] == ["H20261122-008"]
    assert all("1234567890123456" not in m.text for m in batch.messages)
    output = render_courier(batch)
    assert "【快递公司不明】" in output
    assert "没填快递公司，单号 1234567890123456 也认不出是哪家" in output


def test_recognised_and_mismatched_couriers_are_flagged_for_checking(items, config):
    batch = courier_messages(items, config)
    yto = next(m for m in batch.messages if m.courier.key == "yto")
    [note] = yto.to_check
    assert note.number == 1 and "按单号认作圆通" in note.reasons[0]
    zto = next(m for m in batch.messages if m.courier.key == "zto")
    [note] = zto.to_check
    assert note.item.id == "H20261122-017" and note.number == 2
    assert "不像中通的单号" in note.reasons[0]


def test_only_open_rows_and_most_urgent_first(items, config):
    batch = courier_messages(items, config)
    ids = [e.item.id for m in batch.messages for e in m.entries]
    assert "H20261116-002" not in ids  # done
    assert "H20261121-003" not in ids  # cancelled
    assert "H20261122-016" in ids  # 处理中 is still open
    zto = next(m for m in batch.messages if m.courier.key == "zto")
    assert [e.number for e in zto.entries] == [1, 2]
    assert [m.courier.key for m in batch.messages] == ["sto", "zto", "yto", "yunda", "sf", "ems", "jd"]


def test_intercepts_come_before_address_changes():
    config = parse_config({})
    from handover.sheet import Grid

    header = ["编号", "登记时间", "类型", "订单号", "快递公司", "快递单号", "原地址", "新地址"]
    rows = [["H1", "2026-11-22 20:00", "改地址", "1", "申通", "773277027280336", "甲地", "乙地"],
            ["H2", "2026-11-22 21:00", "拦截", "2", "申通", "773277027280337", "丙地", "丁地"],
            ["H3", "2026-11-22 19:00", "拦截", "3", "申通", "773277027280338", "戊地", "己地"]]
    table = parse_handover(Grid("交接", header, rows), config.timezone)
    [message] = courier_messages(table.items, config).messages
    assert [e.item.id for e in message.entries] == ["H3", "H2", "H1"]


def test_a_courier_name_nobody_knows_goes_to_the_unknown_block():
    config = parse_config({})
    from handover.sheet import Grid

    header = ["编号", "类型", "订单号", "快递公司", "快递单号", "原地址", "新地址"]
    rows = [["H1", "查重量", "1", "百世快递", "557012345678", None, None],
            ["H2", "改地址", "2", None, None, "甲地", "乙地"]]
    table = parse_handover(Grid("交接", header, rows), config.timezone)
    batch = courier_messages(table.items, config)
    assert batch.messages == []
    change, weight = batch.unknown  # address changes before weight queries
    assert change.reasons == ["改地址需要快递单号", "改地址需要快递公司（或能认出快递公司的单号）"]
    assert weight.reasons == ["不认识的快递公司「百世快递」"]
    assert courier_copy_text(batch) == ""


def test_courier_filter(items, config):
    batch = courier_messages(items, config, courier="STO")
    assert [m.courier.key for m in batch.messages] == ["sto"]
    assert batch.unknown, "rows of unknown company may be this company's: still listed"
    with pytest.raises(UnknownCourierError) as error:
        courier_messages(items, config, courier="百世")
    assert "百世" in str(error.value) and "申通" in str(error.value)


def test_intercept_logged_without_an_address_and_no_return_address_goes_back_to_the_sender(items):
    bare = parse_config({})  # no [messages] return_address
    batch = courier_messages(items, bare)
    render_courier(batch)
    zto = next(m for m in batch.messages if m.courier.key == "zto")
    assert [e.item.id for e in zto.entries] == ["H20261122-004", "H20261122-017"] and zto.left_out == []
    assert zto.text.count("退回寄件人（原路退回）") == 2 and "退回地址" not in zto.text
    assert "收件地址：江苏省苏州市工业园区星湖街 328 号\n退回寄件人（原路退回）\n" in zto.text
    jd = next(m for m in batch.messages if m.courier.key == "jd")
    assert "订单号：JD2611220000018" in jd.text and "退回寄件人（原路退回）" in jd.text
    # A row that names where the parcel goes says so, with or without the shop's return address.
    yunda = next(m for m in batch.messages if m.courier.key == "yunda")
    assert "退回地址：广东省东莞市长安镇振安路 66 号 小鹿二仓" in yunda.text and "原路退回" not in yunda.text
    assert messages_json(build_messages(items, bare))["couriers"][1]["items"][0]["return_to"] is None


def test_copy_text_has_only_the_messages(items, config):
    batch = courier_messages(items, config)
    text = courier_copy_text(batch)
    assert "【" not in text and "※" not in text and "————" not in text
    assert text.count("您好！") == len(batch.messages)


# ------------------------------------------------------------------------------ warehouse and calls

def test_warehouse_list_grouped_and_numbered(items, config):
    warehouse = warehouse_list(items, config)
    assert [g.category.key for g in warehouse.groups] == ["missing_item", "no_tracking", "urge_shipment"]
    assert [e.number for g in warehouse.groups for e in g.entries] == [1, 2, 3, 4, 5]
    assert [n.item.id for n in warehouse.left_out] == ["H20261122-012"]
    text = render_warehouse(warehouse)
    assert "4812112200000000010（抖音），极兔 JT5261988016578：发货后一直没有物流信息" in text  # default wording
    assert "3958112200000000012" not in text and "曹操" not in text
    assert "13800000009" not in text  # the warehouse needs no phone numbers


def test_warehouse_replying_by_the_id_in_the_message_finds_the_row(items, config):
    """The warehouse answers "H20261122-010 查到了": every item it was sent carries its 编号, and the message
    asks for a reply by 编号 with an example the message itself holds."""
    warehouse = warehouse_list(items, config)
    text = render_warehouse(warehouse)
    lines = text.splitlines()
    for group in warehouse.groups:
        for entry in group.entries:
            [line] = [line for line in lines if line.startswith(f"{entry.number}、")]
            assert line.startswith(f"{entry.number}、{entry.item.id} 订单 {entry.item.order_id}")
    [ask] = [line for line in lines if "按编号回复" in line]
    assert ask == "处理完请按编号回复一下，比如「H20261122-009 已补发」，谢谢！"


def test_calling_a_buyer_the_caller_reports_back_by_the_id_on_the_list(items, config):
    calls = call_list(items, config)
    text = render_calls(calls)
    ids = [entry.item.id for group in calls.groups for entry in group.entries]
    assert [line.split()[0] for line in text.splitlines() if re.match(r"\d+、", line)] == [
        f"{number}、{id_}" for number, id_ in enumerate(ids, 1)]
    assert text.endswith("打完请按编号回复结果，比如「H20261122-013 要 M 码」。\n")


def test_a_row_without_an_id_yet_is_named_by_its_row_in_the_warehouse_list():
    config = parse_config({})
    from handover.sheet import Grid

    header = ["编号", "登记时间", "类型", "订单号"]
    rows = [[None, "2026-11-22 20:00", "漏发", "3958120345678901234"]]
    table = parse_handover(Grid("交接", header, rows), config.timezone)
    text = render_warehouse(warehouse_list(table.items, config))
    assert "1、第 2 行 订单 3958120345678901234：买家说少发了东西，请核对后补发" in text
    assert "比如「第 2 行 已补发」" in text


def test_call_list_has_full_phones(items, config):
    calls = call_list(items, config)
    text = render_calls(calls)
    assert "李娜  13987654321" in text
    assert "地址：西藏阿里地区改则县物玛乡 3 组" in text
    assert "tb_lily2020  没留电话，请在平台聊天里联系" in text
    assert [n.item.id for n in calls.left_out] == ["H20261122-015"]
    assert "不是电话号码：123" in calls.left_out[0].reasons[0]


def test_nothing_to_send():
    config = parse_config({})
    messages = build_messages([], config)
    text = render_messages(messages, "text")
    assert "今天没有要发给快递公司的消息。" in text
    assert "今天交接表里没有要仓库处理的事。" in text
    assert "今天没有要打电话的买家。" in text
    assert "————" not in text
    data = messages_json(messages)
    assert data == {"couriers": [], "unknown_courier": [], "warehouse": {
        "text": "仓库的同事好！今天交接表里没有要仓库处理的事。\n", "items": [], "left_out": [], "to_check": []},
        "calls": {"text": "今天没有要打电话的买家。\n", "items": [], "left_out": [], "to_check": []}}


def test_json_shape(items, config):
    data = messages_json(build_messages(items, config))
    sto = data["couriers"][0]
    assert sto["courier"] == "sto" and sto["qq"] == "123456789" and sto["text"].startswith("申通余杭网点")
    entry = sto["items"][0]
    assert entry["id"] == "H20261122-003" and entry["row"] == 17 and entry["category"] == "address_change"
    assert sto["left_out"][0]["problems"] == [{"row": 20, "column": "新地址", "message": "改地址需要新地址"}]
    assert data["unknown_courier"][0]["id"] == "H20261122-008"
    # Entries refer to records by id and row; the records themselves are under pull's `routes`.
    assert data["warehouse"]["items"][0] == {"number": 1, "id": "H20261122-009", "row": 23, "category": "missing_item",
                                             "return_to": None, "times": 1}


def test_unknown_format(items, config):
    with pytest.raises(ValueError):
        render_messages(build_messages(items, config), "html")


# ------------------------------------------------------------------------------------------ settings

def test_a_setting_of_the_wrong_type_is_an_error():
    with pytest.raises(ConfigError) as error:
        message_settings(parse_config({"messages": {"shop": 3}}))
    assert "[messages] shop 应该是文字" in str(error.value)


def test_a_misspelt_messages_setting_is_warned_about_with_the_name_meant():
    config = parse_config({"messages": {"sign_of": "小周", "shop": "小鹿"}})
    assert message_settings(config).shop == "小鹿"
    assert config.warnings == ["提醒：handover.toml: [messages] 里不认识 sign_of，是不是 sign_off？这一项没有生效"]


# ----------------------------------------------------------------------------------------- templates

def test_an_overriding_template_wins(items, config, tmp_path):
    (tmp_path / "courier.txt.j2").write_text(
        "{{ message.courier.name }}师傅好，{{ message.entries|length }} 件：\n"
        "{% for e in message.entries %}{{ e.number }}. {{ e.item.tracking_no or e.item.order_id }}\n{% endfor %}",
        encoding="utf-8")
    batch = courier_messages(items, config)
    output = render_courier(batch, tmp_path)
    sto = next(m for m in batch.messages if m.courier.key == "sto")
    assert sto.text == "申通师傅好，1 件：\n1. 773277027280336\n"
    assert "申通师傅好" in output
    assert "【申通】共 1 件" in output  # the page around it is still the shipped one
    assert "申通余杭网点 王师傅，您好！" not in output


def test_a_template_naming_a_missing_field_fails_loudly(items, config, tmp_path):
    (tmp_path / "warehouse.txt.j2").write_text("{{ warehouse.deadline }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        render_warehouse(warehouse_list(items, config), tmp_path)
    assert "warehouse.txt.j2" in str(error.value) and "deadline" in str(error.value)


def test_a_missing_field_in_the_courier_body_names_that_template(items, config, tmp_path):
    # The body is rendered on its own, so the error names courier.txt.j2, not the page around it.
    (tmp_path / "courier.txt.j2").write_text("{{ message.courier.hotline }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        render_messages(build_messages(items, config), "text", tmp_path)
    assert "courier.txt.j2" in str(error.value) and "hotline" in str(error.value)
