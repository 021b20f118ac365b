"""A notebook client for evcxr that keeps the lines a cell printed late.

evcxr can report a cell idle before the lines it printed reach Jupyter (evcxr issue
#353): nbclient then drops them as not of the cell it runs next, and the cell shows no
output. After each cell, messages are read until none comes for LATE_SECONDS, and the
cell's late stream lines go where they would have: into its stream, ahead of its value."""
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async


class LateLines:
    """Mixed into an nbclient client (nbclient's own, or papermill's)."""

    LATE_SECONDS = 0.25

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_cell_executed = self._remember_request
        self._request_id = None

    def _remember_request(self, cell, cell_index, execute_reply):
        self._request_id = execute_reply["parent_header"].get("msg_id")

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._request_id is None:  # not run: markdown, or an empty code cell
            return cell
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.LATE_SECONDS))
            except Empty:
                break
            if msg["msg_type"] != "stream" or msg["parent_header"].get("msg_id") != self._request_id:
                continue
            name, text = msg["content"]["name"], msg["content"]["text"]
            stream = next((o for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == name), None)
            if stream is not None:
                stream["text"] += text
            else:
                cell.outputs.insert(0, nbformat.v4.new_output("stream", name=name, text=text))
        self._request_id = None
        return cell


class EvcxrClient(LateLines, NotebookClient):
    """nbclient's client with evcxr's late lines kept."""
