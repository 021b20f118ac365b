"""papermill's entry point into this package: importing it registers the Rust
translator (papermill imports every `papermill.engine` entry point at start), and
`EvcxrEngine` (`papermill --engine incident-channels`) executes with evcxr's late output
lines kept."""
import logging

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.utils import merge_kwargs, remove_args

from .client import LateLines
from .translator import register

register()

logger = logging.getLogger("papermill")


class EvcxrPapermillClient(LateLines, PapermillNotebookClient):
    pass


class EvcxrEngine(NBClientEngine):
    """papermill's nbclient engine with the late-lines client."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        return EvcxrPapermillClient(nb_man, **final_kwargs).execute()
