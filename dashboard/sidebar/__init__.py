"""The sidebar, a module per section, in the order the page draws them."""
