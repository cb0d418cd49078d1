"""Price data (YAML) and the code that loads and validates it."""

from pricing.catalog import (
    Catalog,
    CatalogError,
    GpuOffer,
    LongContextTier,
    Model,
    PriceEntry,
    ServingProfile,
    load_catalog,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "GpuOffer",
    "LongContextTier",
    "Model",
    "PriceEntry",
    "ServingProfile",
    "load_catalog",
]
