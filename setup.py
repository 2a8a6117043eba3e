"""Packaging for Brubeck. Tool configuration lives in pyproject.toml."""

from pathlib import Path

from setuptools import Extension, find_packages, setup

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
    package_data={"brubeck": ["py.typed", "*.pyi"]},
    # Optional: where no C compiler is found, Brubeck runs its Python path.
    ext_modules=[
        Extension(
            "brubeck._speedups",
            ["brubeck/_speedups.c"],
            optional=True,
        )
    ],
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
        # brubeck.templating: one engine each, or all four.
        "templates": ["jinja2>=3.1", "mako>=1.3", "pystache>=0.6", "tornado>=6.4"],
        "templates-jinja2": ["jinja2>=3.1"],
        "templates-mako": ["mako>=1.3"],
        "templates-mustache": ["pystache>=0.6"],
        "templates-tornado": ["tornado>=6.4"],
        # brubeck.passwords: checking Brubeck 0.4's bcrypt password lines.
        "bcrypt": ["bcrypt>=4.1"],
        # brubeck.queryset.RedisQueryset and brubeck.caching.RedisCacheStore.
        "redis": ["redis>=5"],
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
