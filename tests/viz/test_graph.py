"""ld.viz.graph: DOT content, the text form, module boxes, the node budget, the SVG."""

from __future__ import annotations

import re

import pytest

import learndl as ld
from learndl.viz.drawing import Graph
from learndl.viz.graph import build


def small():
    a = ld.tensor(2.0, requires_grad=True)
    b = ld.tensor(3.0, requires_grad=True)
    L = a * b + a
    return a, b, L


def test_scalar_dot_has_records_values_grads_and_forward_edges():
    a, b, L = small()
    L.backward()
    dot = ld.viz.graph(L).dot
    assert 'fontname="Helvetica"' in dot and dot.count("fontname") >= 3
    assert re.search(
        r'a \[label="\{ a \| parameter \| data 2\.0 \| grad 4\.0 \}", shape=Mrecord', dot
    )
    assert "b | parameter | data 3.0 | grad 2.0" in dot
    assert "mul_1 = a * b | data 6.0" in dot and "L = mul_1 + a | data 8.0" in dot
    edges = re.findall(r"^\s*(\w+) -> (\w+);", dot, re.M)
    assert edges == [("a", "mul_1"), ("b", "mul_1"), ("mul_1", "L"), ("a", "L")]


def test_ids_are_stable_and_names_can_be_given():
    a, b, L = small()
    assert ld.viz.graph(L).dot == ld.viz.graph(L).dot
    g = ld.viz.graph(L, names={"p": a, "q": b, "out": L})
    assert "p -> mul_1" in g.dot and "mul_1 = p * q" in g.dot and "mul_1 -> out" in g.dot


def test_tensors_show_op_shape_dtype_summary_and_kinds_differ():
    x = ld.tensor([[1.0, -2.0], [3.0, 4.0]])
    w = ld.tensor([[0.5], [1.0]], requires_grad=True)
    y = ld.relu(x @ w).sum()
    nodes = {n.id: n for n in build(y, {id(x): "x", id(w): "w"})}
    assert nodes["x"].kind == "input" and nodes["w"].kind == "param"
    assert nodes["matmul_1"].title == "matmul_1 = x @ w"
    assert nodes["matmul_1"].lines[0] == "(2, 1) float32"
    assert nodes["matmul_1"].lines[1].startswith("mean 2.")
    dot = ld.viz.graph(y).dot
    assert 'fillcolor="#e7f5ff"' in dot and 'fillcolor="#d3f9d8"' in dot  # input, parameter


def test_constants_are_labelled_by_value():
    x = ld.tensor(1.5, requires_grad=True)
    y = 2 * x
    dot = ld.viz.graph(y).dot
    assert "const_1 -> y" in dot and "{ 2.0 }" in dot


def test_text_is_an_indented_list_that_shows_shared_nodes_once():
    a, b, L = small()
    text = ld.viz.graph(L).text()
    assert text.splitlines() == [
        "L = mul_1 + a  value 8.0",
        "  mul_1 = a * b  value 6.0",
        "    a  parameter  value 2.0  grad —",
        "    b  parameter  value 3.0  grad —",
        "  a  (above)",
    ]


def mlp_loss():
    nn = pytest.importorskip("learndl.nn")
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = ld.randn(5, 4)
    return model, x, ld.cross_entropy(model(x), ld.tensor([0, 1, 2, 0, 1]))


def test_module_nodes_go_in_clusters_with_folded_variants():
    model, x, loss = mlp_loss()
    g = ld.viz.graph(loss, names={"model": model, "x": x})
    assert "subgraph cluster_0 {" in g.dot and 'label="0: Linear"' in g.dot
    body = g.dot.split("subgraph cluster_0 {")[1].split("}")[0]
    assert "0.weight" in body and "0.bias" in body  # the layer's parameters sit in its box
    assert set(g.dot_collapsed) == {
        "cluster_0",
        "cluster_1",
        "cluster_2",
        "cluster_0,cluster_1,cluster_2",
    }
    folded = g.dot_collapsed["cluster_0"]
    assert "subgraph cluster_0" not in folded and 'cluster_0 [label="0: Linear' in folded
    assert 'class="ld-collapsed"' in folded and "x -> cluster_0;" in folded
    assert "cluster_0 -> relu_1;" in folded and "subgraph cluster_2" in folded


def test_node_budget_folds_modules_then_elides():
    model, x, loss = mlp_loss()
    g = ld.viz.graph(loss, names={"model": model}, max_nodes=8)  # 10 nodes: a Linear is one
    assert len(g.nodes) > 8 and g.folded and not g.elided
    assert len(re.findall(r"^\s+\w+ \[label=", g.dot, re.M)) <= 8
    x = ld.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100):
        y = y * 1.01 + 0.1
    g = ld.viz.graph(y, max_nodes=20)
    assert len(re.findall(r"^\s+\w+ \[label=", g.dot, re.M)) == 20
    assert "more nodes" in g.dot and len(g.dot_full) > len(g.dot)


def test_own_layout_svg_has_graphviz_structure():
    a, b, L = small()
    svg = ld.viz.graph(L).layout_svg()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    titles = re.findall(r'<g class="node"><title>(\w+)</title>', svg)
    assert sorted(titles) == ["L", "a", "b", "mul_1"]
    assert "<title>a-&gt;mul_1</title>" in svg and "<title>mul_1-&gt;L</title>" in svg
    # inputs are left of their op (rankdir LR)
    x = {t: float(v) for t, v in re.findall(r"<title>(\w+)</title><polygon points=\"([\d.]+)", svg)}
    assert x["a"] < x["mul_1"] < x["L"]


def test_own_layout_draws_cluster_boxes_and_top_down():
    model, x, loss = mlp_loss()
    g = Graph(build(loss, {}), rankdir="TB", module_types={})
    svg = g.layout_svg()
    assert '<g class="cluster"><title>cluster_0</title>' in svg


def test_svg_and_mimebundle():
    a, b, L = small()
    g = ld.viz.graph(L)
    assert "<svg" in g.svg()
    bundle = g._repr_mimebundle_()
    assert bundle["text/plain"] == g.text()
    assert "<svg" in bundle["text/html"] and "<script" not in bundle["text/html"]


def test_a_leaf_alone_is_one_node():
    x = ld.tensor([1.0, 2.0])
    g = ld.viz.graph(x)
    assert len(g.nodes) == 1 and "->" not in g.dot
