"""The README is the one place an operator looks for the environment: every variable the settings
read is in its table, and it stays short enough to read (issue #22: at most about 10 kB)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# env_str("NAME", …), env_bool("NAME"…), os.environ.get("NAME"), os.environ["NAME"]
READ = re.compile(
    r"""(?:env_\w+\(\s*|environ(?:\.get)?\(\s*|environ\[\s*)["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read(path: Path) -> set[str]:
    return set(READ.findall(path.read_text()))


def test_every_setting_variable_is_documented():
    names = variables_read(ROOT / "civbio" / "settings.py")
    assert len(names) > 20  # the pattern still finds them
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == [], f"README's environment table lacks {missing}"


def test_readme_stays_short():
    assert len((ROOT / "README.md").read_bytes()) <= 10_500
