"""Pitch decks drawn with reportlab: the renderer, its sections, fonts and text helpers.

The renderer is named by ``PROMOTION['DECK_RENDERER']`` and the sections, in order, by
``PROMOTION['DECK_SECTIONS']``; a host adds, removes or reorders sections there.
"""
