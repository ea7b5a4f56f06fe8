"""The prompt ``paperdigest draft`` sends a model: ``prompts/digest.md`` of the site's
templates folder (paperdigest's own when the site has none), rendered with Jinja.

The site owns the words; the values it is given come from the one place that defines each
rule: the eight section headings from the model, the post limits from the blurb counter.
The template is sandboxed (it is site content, but the paper text it is given is not) and
strict: an unknown name is an error that names the template and its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from ..content import blurb as blurbs
from ..content.model import SECTION_TITLES
from ..errors import RenderError
from .render import TEMPLATES_DIR

PROMPT = "prompts/digest.md"


def prompt_path(templates_dir: Path) -> Path:
    """The site's prompt, else the one that comes with paperdigest."""
    own = templates_dir / PROMPT
    return own if own.is_file() else TEMPLATES_DIR / PROMPT


def rules() -> dict[str, Any]:
    """What every prompt is told: the headings and the limits of a post on X."""
    return {"sections": list(SECTION_TITLES.items()), "limit": blurbs.LIMIT,
            "share_limit": blurbs.SHARE_LIMIT, "url_weight": blurbs.URL_WEIGHT}


def render_prompt(templates_dir: Path, context: Mapping[str, Any]) -> str:
    """The prompt for ``context`` (the paper, its text, or the problems to repair).

    Raises:
        RenderError: the template cannot be read or fails; the message names its line.
    """
    path = prompt_path(templates_dir)
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(path.parent)), undefined=jinja2.StrictUndefined,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    try:
        return env.get_template(path.name).render({**rules(), **context}).strip() + "\n"
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{path}:{exc.lineno}: {exc.message}: fix the prompt template"
                          ) from None
    except jinja2.TemplateError as exc:
        raise RenderError(f"{path}: {exc}: fix the prompt template (the names it may use "
                          "are listed at its top)") from None
    except OSError as exc:
        raise RenderError(f"{path}: cannot be read ({exc.strerror or exc})") from None
