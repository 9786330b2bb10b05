"""L601 field-not-in-input."""

from __future__ import annotations

from collections.abc import Iterator

from ...builtins import DERIVED_FROM_NAME
from ...diagnostics import Severity, closest
from ...literals import spell
from ..rule import Context, Finding, Rule


class FieldNotInInput(Rule):
    """A field the policy tests that none of the given inputs has.

    ## What it does
    With `connectlang check --input FILE` (or `--enrich FILE`), flags each field the
    policy reads that no given input has a column for: a CSV header, the keys of a
    JSONL or JSON file, or what a LinkedIn export provides. A `field` declared with a
    default is flagged too: it was declared to read a column, and without one every
    record gets the default. Standard fields with a default (`message`), and
    `first_name` and `last_name` when the input has `name`, are not flagged.

    ## Why is this bad?
    The field is missing on every record of that input: a test on it is unknown (only
    `is missing` is true), and a reply shows it as empty, so the rules that need it
    never fire as meant. A LinkedIn export, for one, has no `mutual_connections`: a
    policy built on it decides everything by its default until an enrichment file
    supplies the column.

    ## Example
    ```connectlang
    # connectlang check me.conn --input Basic_LinkedInDataExport.zip
    accept  if mutual_connections >= 10
    else archive
    ```

    ## Use instead
    ```connectlang
    # connectlang check me.conn --input export.zip --enrich crm.csv   (crm.csv has the column)
    accept  if mutual_connections >= 10
    else archive
    ```
    """

    code = "L601"
    name = "field-not-in-input"
    category = "inputs"
    needs_inputs = True
    severity = Severity.WARNING

    def check(self, context: Context) -> Iterator[Finding]:
        given = context.inputs
        if given is None:
            return
        defaults = context.policy.defaults()
        declared = {field.name: field.default for field in context.policy.fields}
        lets = {let.name for let in context.policy.lets}
        for name, spans in sorted(context.references.items(), key=lambda item: item[1][0].start):
            if name in given or name in lets or (name in defaults and name not in declared):
                continue
            if name in DERIVED_FROM_NAME and "name" in given:
                continue
            # A column the name is a slip for (`conection_degree`), not one merely like it:
            # the name may well be right and the input lack it (`met_at`, `sent_at`).
            near = closest(name, given - context.references.keys(), cutoff=0.8)
            fix = (f"did you mean `{near}`, which the input has?" if near else
                   "add the column to the input, or pass an --enrich file that has it")
            if declared.get(name) is not None:
                yield Finding(spans[0], f"no input given has `{name}`: every record gets its default, "
                              f"`{spell(declared[name])}`", fix)
            else:
                yield Finding(spans[0], f"no input given has `{name}`: it is missing on every record", fix)
