"""The Graphs tab in a real browser against the real board: a GraphDef written by hand (two
identical layers on two devices, gradients, a control edge), drawn collapsed by name scope,
opened by clicks and by the URL, coloured by structure and by device, and inspected."""

from __future__ import annotations

import re

import pytest
from board.events import EventFileWriter
from board.proto import event_pb2, graph_pb2, node_def_pb2
from board_page import BoardProcess, eventually, screenshot

pytestmark = pytest.mark.browser

CPU = "/job:localhost/replica:0/task:0/cpu:0"
GPU = "/job:localhost/replica:0/task:0/gpu:0"
MARKUP_RUN = '<img src=x onerror="window.pwned=1">'


def _layer(name: str, x: str, device: str) -> list[node_def_pb2.NodeDef]:
    def node(op_name, op, *inputs):
        return node_def_pb2.NodeDef(name=f"{name}/{op_name}", op=op, input=list(inputs),
                                    device=device)
    # The Variable `weights` is also the scope of its `weights/read`, as in TensorFlow.
    return [node("weights", "Variable"), node("weights/read", "Identity", f"{name}/weights"),
            node("biases", "Variable"),
            node("MatMul", "MatMul", x, f"{name}/weights/read"),
            node("add", "Add", f"{name}/MatMul", f"{name}/biases"),
            node("Relu", "Relu", f"{name}/add")]


def _graph() -> graph_pb2.GraphDef:
    nodes = [node_def_pb2.NodeDef(name="x", op="Placeholder", device=CPU)]
    nodes += _layer("layer1", "x", CPU) + _layer("layer2", "layer1/Relu", GPU)
    nodes += [
        node_def_pb2.NodeDef(name="gradients/Fill", op="Fill", input=["layer2/Relu"],
                             device=GPU),
        node_def_pb2.NodeDef(name="gradients/layer1/MatMul_grad/MatMul", op="MatMul",
                             input=["gradients/Fill", "x"], device=CPU),
        node_def_pb2.NodeDef(name="train", op="NoOp",
                             input=["^gradients/layer1/MatMul_grad/MatMul"]),
    ]
    return graph_pb2.GraphDef(node=nodes)


def _write_graph(logdir, run: str) -> None:
    with EventFileWriter(str(logdir / run)) as writer:
        writer.add_event(event_pb2.Event(wall_time=1.7e9,
                                         graph_def=_graph().SerializeToString()))


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("graph_logdir")
    _write_graph(logdir, "main")
    _write_graph(logdir, MARKUP_RUN)
    with EventFileWriter(str(logdir / "scalars_only")) as writer:
        writer.add_scalar("loss", 1.0, step=1, wall_time=1.7e9)
    process = BoardProcess(logdir)
    try:
        process.wait_loaded(runs=3)
        yield process
    finally:
        process.stop()


def _open_graph(open_page, url: str):
    page = open_page(url)
    page.locator("#panel-graphs .graph-node").first.wait_for(timeout=15_000)
    return page


def _node(page, name: str, kind: str | None = None):
    kind = kind or ("op" if "/" in name else "scope")  # this graph's top level: scopes
    return page.locator(f'#panel-graphs .graph-node[data-name="{name}"][data-kind="{kind}"]')


def _root_nodes(page) -> dict[str, str]:
    """Top-level node name -> its drawn text."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#panel-graphs .graph-content > .graph-group > .graph-node')]
        .map((g) => [g.dataset.name, [...g.querySelectorAll(':scope > text')]
          .map((t) => t.textContent).join(' ')]))""")


def _fill(page, name: str, kind: str | None = None) -> str:
    return _node(page, name, kind).locator(":scope > .graph-shape").get_attribute("fill")


def test_root_shows_one_box_per_top_level_scope(board, open_page):
    page = _open_graph(open_page, board.url + "?tab=graphs")
    assert page.locator("#panel-graphs select.graph-run option").all_text_contents() == [
        MARKUP_RUN, "main"], "only the runs with a graph, sorted"
    page.locator("#panel-graphs select.graph-run").select_option("main")
    eventually(lambda: _assert_root(page))
    assert "graph_run=main" in page.url
    control = page.locator('.graph-edge.control[data-source="gradients"][data-target="train"]')
    assert control.count() == 1, "the control edge is drawn (dashed) between the siblings"
    assert page.locator('.graph-edge[data-source="layer1"][data-target="layer2"]').count() == 1


def _assert_root(page) -> None:
    assert _root_nodes(page) == {"x": "x", "layer1": "layer1 6 ops", "layer2": "layer2 6 ops",
                                 "gradients": "gradients 2 ops", "train": "train"}


def test_clicking_a_scope_opens_it_and_the_url_restores_it(board, open_page, screenshots):
    page = _open_graph(open_page, board.url + "?tab=graphs&graph_run=main")
    content = page.locator("#panel-graphs .graph-content")
    view_before = content.get_attribute("transform")
    _node(page, "layer1").click()
    _node(page, "layer1/MatMul").wait_for()
    assert _node(page, "layer1").get_attribute("data-expanded") == "true"
    inner = _node(page, "layer1").locator('.graph-node[data-name="layer1/MatMul"]')
    assert inner.count() == 1, "the scope's ops are drawn inside its box"
    assert inner.locator("text").text_content() == "MatMul"
    assert content.get_attribute("transform") == view_before, "pan and zoom are kept"
    assert re.search(r"[?&]expand=layer1(&|$)", page.url)
    page.click("#panel-graphs .graph-fit")
    screenshot(page, screenshots, "graphs")

    page.goto(page.url)
    _node(page, "layer1/Relu").wait_for(timeout=15_000)
    assert _node(page, "layer1").get_attribute("data-expanded") == "true"
    _node(page, "layer1").locator(":scope > .graph-title").click()
    eventually(lambda: _assert_root(page))
    assert "expand=" not in page.url


def test_device_colouring_fills_each_device_and_lists_it(board, open_page, screenshots):
    page = _open_graph(open_page, board.url + "?tab=graphs&graph_run=main&expand=gradients")
    page.click('.segmented[data-name="graph_color"] button[data-value="device"]')
    assert "graph_color=device" in page.url
    legend = page.locator('[data-testid="graph-legend"] li')
    eventually(lambda: _assert_in(CPU, legend.all_text_contents()))
    labels = legend.all_text_contents()
    assert CPU in labels and GPU in labels and "(no device)" in labels
    assert _fill(page, "layer1") == _fill(page, "x", "op"), "both wholly on the CPU"
    assert _fill(page, "layer1") != _fill(page, "layer2")
    assert _fill(page, "gradients").startswith("url(#graph-stripes-"), "two devices: stripes"
    assert _fill(page, "gradients/Fill") == _fill(page, "layer2")
    screenshot(page, screenshots, "graphs_device")


def _assert_in(item, items) -> None:
    assert item in items


def test_structure_colouring_shares_a_fill_between_identical_blocks(board, open_page):
    page = _open_graph(open_page, board.url + "?tab=graphs&graph_run=main&graph_color=device")
    page.click('.segmented[data-name="graph_color"] button[data-value="structure"]')
    eventually(lambda: _assert_equal(_fill(page, "layer1"), _fill(page, "layer2")))
    assert _fill(page, "layer1") != _fill(page, "gradients")
    assert _fill(page, "x", "op") == _fill(page, "train", "op"), "single ops: neutral"
    assert _fill(page, "x", "op") != _fill(page, "layer1")
    assert "layer1, layer2" in page.locator('[data-testid="graph-legend"]').text_content()
    assert "graph_color" not in page.url, "the default colouring keeps the URL short"


def _assert_equal(a, b) -> None:
    assert a == b


def test_info_panel_shows_the_clicked_ops_type_and_inputs(board, open_page):
    page = _open_graph(open_page, board.url + "?tab=graphs&graph_run=main&expand=layer2")
    _node(page, "layer2/MatMul").click()
    info = page.locator('[data-testid="graph-info"]')
    info.wait_for()
    assert info.locator("h3").text_content() == "layer2/MatMul"
    assert "MatMul" in info.locator("dd").first.text_content()
    assert info.locator(".graph-inputs li").all_text_contents() == ["layer1/Relu",
                                                                    "layer2/weights/read"]
    assert GPU in info.text_content()
    assert "selected" in _node(page, "layer2/MatMul").get_attribute("class")
    # An input jumps to its node, opening the scopes around it.
    info.locator(".graph-inputs button", has_text="layer1/Relu").click()
    _node(page, "layer1/Relu").wait_for()
    eventually(lambda: _assert_equal(info.locator("h3").text_content(), "layer1/Relu"))
    assert "expand=layer1" in page.url


def test_search_opens_the_scopes_around_a_node(board, open_page):
    page = _open_graph(open_page, board.url + "?tab=graphs&graph_run=main")
    search = page.locator("#panel-graphs .graph-search")
    search.fill("MatMul_grad/MatMul")
    search.press("Enter")
    _node(page, "gradients/layer1/MatMul_grad/MatMul").wait_for()
    assert "expand=gradients" in page.url and "expand=gradients%2Flayer1" in page.url
    info = page.locator('[data-testid="graph-info"] h3')
    eventually(lambda: _assert_equal(info.text_content(),
                                     "gradients/layer1/MatMul_grad/MatMul"))


def test_a_run_name_with_markup_stays_text(board, open_page):
    page = _open_graph(open_page, board.url + "?tab=graphs")
    picker = page.locator("#panel-graphs select.graph-run")
    picker.select_option(MARKUP_RUN)
    eventually(lambda: _assert_root(page))
    assert picker.input_value() == MARKUP_RUN
    assert page.locator("#panel-graphs img").count() == 0
    assert page.evaluate("() => window.pwned") is None


def test_without_a_graph_the_tab_says_how_to_write_one(tmp_path, open_page):
    with EventFileWriter(str(tmp_path / "run")) as writer:
        writer.add_scalar("loss", 1.0, step=1, wall_time=1.7e9)
    process = BoardProcess(tmp_path)
    try:
        process.wait_loaded(runs=1)
        page = open_page(process.url + "?tab=graphs")
        empty = page.locator('[data-testid="graph-empty"]')
        empty.wait_for()
        assert "tf.train.SummaryWriter" in empty.locator("pre").text_content()
        assert "sess.graph_def" in empty.locator("pre").text_content()
    finally:
        process.stop()


def test_a_linked_run_without_a_graph_is_named_not_fetched(board, open_page):
    page = open_page(board.url + "?tab=graphs&graph_run=scalars_only")
    note = page.locator("#panel-graphs .graph-note")
    note.wait_for()
    assert "scalars_only" in note.text_content() and "no graph" in note.text_content()
    picker = page.locator("#panel-graphs select.graph-run")
    assert picker.input_value() == "scalars_only"
    picker.select_option("main")
    eventually(lambda: _assert_root(page))
    assert note.is_hidden()


def test_a_variable_is_found_inside_the_scope_that_shares_its_name(board, open_page):
    page = _open_graph(open_page, board.url + "?tab=graphs&graph_run=main")
    search = page.locator("#panel-graphs .graph-search")
    search.fill("layer2/weights")
    search.press("Enter")
    variable = _node(page, "layer2/weights", "op")
    variable.wait_for()
    scope = _node(page, "layer2/weights", "scope")
    assert scope.get_attribute("data-expanded") == "true"
    assert scope.locator('.graph-node[data-name="layer2/weights/read"]').count() == 1
    info = page.locator('[data-testid="graph-info"]')
    eventually(lambda: _assert_equal(info.locator("dd").first.text_content(), "Variable"))
    assert "selected" in variable.get_attribute("class")
    assert "selected" not in scope.get_attribute("class")
    _node(page, "layer2/weights/read").click()
    eventually(lambda: _assert_equal(info.locator("dd").first.text_content(), "Identity"))
