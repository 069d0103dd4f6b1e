"""The contract's paths of the model tools, spelt out (not read from ``bridge.api``), so a
wrong endpoint in the code fails the tests that look for requests on these."""

CONVERT = "/v1/tools/convert/"
TOPOLOGY = "/v1/3d-models/tencent/topology/"
TEXTURE_EDIT = "/v1/3d-models/tencent/texture-edit/"
BAKE = "/v1/tools/bake-texture/"
