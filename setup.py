"""Packaging for Brubeck. Tool configuration lives in pyproject.toml."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
version: dict[str, str] = {}
exec((HERE / "brubeck" / "_version.py").read_text(), version)

setup(
    name="brubeck",
    version=version["__version__"],
    description="Fast message handlers behind Mongrel2 and on raw ZeroMQ",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    packages=find_packages(include=["brubeck", "brubeck.*"]),
    package_data={"brubeck": ["py.typed"]},
    python_requires=">=3.11",
    entry_points={"console_scripts": ["brubeck=brubeck.cli:main"]},
    install_requires=[
        "pyzmq>=25",
        "eventlet>=0.36",
        "msgpack>=1.0",
        "msgspec>=0.18",
    ],
    extras_require={
        "gevent": ["gevent>=23.9"],
        "speedups": ["tnetstring3>=0.4"],
    },
    classifiers=[
        "License :: OSI Approved :: BSD License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Typing :: Typed",
    ],
)
