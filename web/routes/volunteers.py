"""The volunteers feature (志愿服务): its declaration only, for now; pages come with the web phase."""

from __future__ import annotations

from web.feature import Feature

feature = Feature(name="volunteers", models=["volunteers.models"])
