"""Starting Spark for sanctrace: a one-line error when pyspark or Java is missing, and a session
that starts quietly (no UI, errors-only logging, the workers on this Python)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sanctrace.errors import SanctraceError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = "install with pip install 'sanctrace[spark]' and a Java 17 runtime"

#: Settings of the sessions sanctrace starts (the caller's ``conf`` wins).
DEFAULT_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: Logs errors only, from the start of the JVM (setLogLevel comes too late for its banner).
LOG4J_CONF = Path(__file__).with_name("log4j2.properties")


def java_executable() -> str | None:
    """The ``java`` Spark will run: ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def spark_unavailable() -> str | None:
    """Why Spark cannot run here (pyspark or Java missing), or None if it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"Spark is not available: pyspark is not installed ({INSTALL_HINT})"
    if java_executable() is None:
        return (
            "Spark is not available: no Java runtime (no java on PATH or in JAVA_HOME) "
            f"({INSTALL_HINT})"
        )
    return None


def require_spark() -> None:
    """Raise a :class:`SanctraceError` saying what to install if Spark cannot run here."""
    reason = spark_unavailable()
    if reason is not None:
        raise SanctraceError(reason)


def spark_session(
    master: str = "local[*]",
    conf: Mapping[str, str] | None = None,
    *,
    app_name: str = "sanctrace",
    log_level: str = "ERROR",
    java_options: str = "",
) -> SparkSession:
    """A SparkSession (the active one if there is one, as ``getOrCreate`` does): no UI, Arrow
    enabled, errors-only logging, and Python workers running this interpreter unless
    ``PYSPARK_PYTHON`` says otherwise. ``java_options`` go to the driver's JVM (with a local
    master, the executors' too), e.g. ``-XX:TieredStopAtLevel=1`` to start faster."""
    require_spark()
    from pyspark.sql import SparkSession

    # The Python workers must import sanctrace and pyarrow: run them on this interpreter.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {**DEFAULT_CONF, **(conf or {})}
    if "spark.driver.extraJavaOptions" not in settings:
        quiet = f"-Dlog4j2.configurationFile={LOG4J_CONF.as_uri()}" if LOG4J_CONF.is_file() else ""
        settings["spark.driver.extraJavaOptions"] = f"{quiet} {java_options}".strip()
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: PySparkRuntimeError JAVA_GATEWAY_EXITED
        raise SanctraceError(f"cannot start Spark ({exc}); {INSTALL_HINT}") from None
    spark.sparkContext.setLogLevel(log_level)
    return spark
