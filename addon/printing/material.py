"""How much resin or filament a print takes, and what it costs (plain arithmetic).

Defaults are typical values the user can edit in the panel: standard resin
about 1.1 g/ml, PLA 1.24 g/cm³. FDM parts are not solid, so filament is given
for the chosen infill and as a 20 %–100 % range.
"""

from __future__ import annotations

import dataclasses

RESIN_DENSITY = 1.1        # g/ml
PLA_DENSITY = 1.24         # g/cm³ (= g/ml)
RESIN_PRICE_PER_L = 35.0
PLA_PRICE_PER_KG = 20.0


@dataclasses.dataclass(frozen=True)
class MaterialEstimate:
    kind: str            # "resin" or "filament"
    volume_ml: float
    grams: float
    cost: float
    grams_low: float     # filament at 20 % infill (resin: same as grams)
    grams_high: float    # filament solid

    def summary(self) -> str:
        if self.kind == "resin":
            return f"Resin: {self.volume_ml:.1f} ml ≈ {self.grams:.1f} g, cost {self.cost:.2f}"
        return (f"Filament: {self.grams:.1f} g (20–100 % infill: {self.grams_low:.1f}–"
                f"{self.grams_high:.1f} g), cost {self.cost:.2f}")


def estimate_resin(volume_ml: float, density: float = RESIN_DENSITY,
                   price_per_litre: float = RESIN_PRICE_PER_L) -> MaterialEstimate:
    grams = volume_ml * density
    return MaterialEstimate("resin", volume_ml, grams, volume_ml / 1000.0 * price_per_litre,
                            grams, grams)


def estimate_filament(volume_ml: float, density: float = PLA_DENSITY, infill: float = 0.2,
                      price_per_kg: float = PLA_PRICE_PER_KG) -> MaterialEstimate:
    infill = min(max(infill, 0.0), 1.0)
    solid = volume_ml * density
    grams = solid * infill
    return MaterialEstimate("filament", volume_ml, grams, grams / 1000.0 * price_per_kg,
                            solid * 0.2, solid)


def estimate_for(props, volume_ml: float) -> MaterialEstimate:
    """The estimate for the material chosen in the print settings (``Scene.aistudio.printing``)."""
    if props.material == "RESIN":
        return estimate_resin(volume_ml, props.resin_density, props.resin_price)
    return estimate_filament(volume_ml, props.pla_density, props.infill, props.pla_price)
