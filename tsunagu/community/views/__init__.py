"""Screens of 地域づくり and 見守り, one module per topic (activities, platforms, targets,
watches, reports) and the section's home page."""
