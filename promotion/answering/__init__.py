"""Answering investors' questions with the region's sourced facts.

``matchers`` holds the pluggable matcher (``PROMOTION["ANSWER_MATCHER"]``), ``knowledge``
the read-only snapshot it works on, ``cache`` the per-process cache of built matchers and
``text`` the language helpers. The service is ``promotion.services.answers.answer_question``.
"""
