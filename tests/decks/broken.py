from __future__ import annotations

from promotion.decks.renderer import Section


class BrokenSection(Section):
    key = "broken"

    def flowables(self, ctx):
        from reportlab.platypus import Paragraph

        # Raw user text as markup: reportlab fails and quotes the text in its error.
        return [Paragraph(ctx.prospect.company_name + " <unclosed", ctx.styles["body"])]
