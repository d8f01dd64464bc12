import json

from hyperseg.protocol.alpha_exr import METADATA_PREFIX, alpha_metadata, clicks_json


def test_the_metadata_schema():
    metadata = alpha_metadata(positive=[(812.5, 400.5)], negative=[], checkpoint="d556770d1b68", frame=1001)
    assert metadata == {
        "clicks": '{"positive": [[812.5, 400.5]], "negative": []}',
        "checkpoint": "d556770d1b68",
        "frame": "1001",
    }
    full = alpha_metadata(positive=[], negative=[[2.5, 3.5]], checkpoint="c", frame=0, backbone="vgg19-random-v1",
                          source="/plates/p.0001.exr", proxy=0.5)
    assert full["frame"] == "0" and full["proxy"] == "0.5" and full["source"] == "/plates/p.0001.exr"
    assert json.loads(full["clicks"]) == {"positive": [], "negative": [[2.5, 3.5]]}
    assert METADATA_PREFIX == "hyperseg/"


def test_clicks_json_is_the_same_for_tuples_and_lists():
    assert clicks_json([(1.5, 2.5)], [(3.5, 4.5)]) == clicks_json([[1.5, 2.5]], [[3.5, 4.5]])
