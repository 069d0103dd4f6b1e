"""Submitting from the UI asks before spending more credits than the preference allows.

Background Blender has no window, so it never calls ``invoke``; the decision
is a function the operators' ``invoke`` uses, tested here directly.
"""

import pytest

pytestmark = pytest.mark.blender


@pytest.mark.parametrize("threshold, model, asks", [
    (50, "TENCENT_RAPID", False),   # 35 credits
    (50, "TENCENT_PRO", True),      # 60 credits
    (60, "TENCENT_PRO", False),     # exactly at the limit does not ask
    (0, "TENCENT_RAPID", True),     # 0 = always ask
])
def test_confirmation_above_the_threshold(addon, threshold, model, asks):
    import bpy

    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import request_factory
    from ai_studio_bridge.addon.operators.submit import needs_confirmation
    prefs = preferences.get_prefs()
    prefs.confirm_credits = threshold
    request = request_factory.text_request(model, "a cup", bpy.context.scene.aistudio.options)
    assert needs_confirmation(prefs, request) is asks


def test_miniature_default_edition_asks_with_the_default_threshold(addon):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import request_factory
    from ai_studio_bridge.addon.operators.submit import needs_confirmation
    request = request_factory.miniature_request("x.png", "miniature_human_full_body", "default", "none", 10)
    assert needs_confirmation(preferences.get_prefs(), request)  # 300 > 100
