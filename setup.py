"""Package discovery only (metadata lives in pyproject.toml).

Three source roots map into two import packages: runtime/scopeflow -> scopeflow,
backend/board -> board, and frontend/ -> board.frontend, so the static files travel inside
the wheel and a non-editable install serves the page too.
"""

from setuptools import find_namespace_packages, find_packages, setup

frontend = ["board.frontend"] + [
    f"board.frontend.{name}" for name in find_namespace_packages("frontend")
]
package_dir = {"scopeflow": "runtime/scopeflow", "board": "backend/board"}
package_dir.update({name: "frontend/" + name[len("board.frontend."):].replace(".", "/")
                    for name in frontend[1:]})
package_dir["board.frontend"] = "frontend"

setup(
    packages=find_packages("runtime") + find_packages("backend") + frontend,
    package_dir=package_dir,
)
