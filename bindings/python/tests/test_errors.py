"""Statuses to exceptions: one exoplace_error Structure, one mapping."""
from __future__ import annotations

import pickle
import unittest

import exoplace
from exoplace import ExoplaceError, InputError, PlacementError, ProbeError, _lib


def failing_error(status: int, message: str = "", field: str = "") -> _lib.Error:
    err = _lib.Error()
    err.code = status
    err.message = message.encode()
    err.field = field.encode()
    return err


def statuses():
    """Every status value the library names (stops at the first unknown one)."""
    value = 1
    while _lib.status_name(value) != "unknown":
        yield value
        value += 1


class RaiseForStatusTest(unittest.TestCase):
    def test_ok_raises_nothing(self):
        self.assertIsNone(_lib.raise_for_status(0, _lib.Error()))

    def test_every_status_maps_to_its_exception(self):
        seen = set()
        for status in statuses():
            code = _lib.status_name(status)
            with self.subTest(code=code):
                with self.assertRaises(Exception) as caught:
                    _lib.raise_for_status(status, failing_error(status, "the text", "the.field"))
                error = caught.exception
                if _lib.lib().exoplace_status_is_placement_failure(status):
                    expected = PlacementError
                elif code == "out_of_memory":
                    expected = MemoryError
                elif code == "probe_failed":
                    expected = ProbeError
                else:
                    expected = InputError
                self.assertIs(type(error), expected)
                self.assertEqual(str(error), "the.field: the text" if expected is InputError else "the text")
                if expected is not MemoryError:
                    self.assertEqual(error.code, code)
                seen.add(expected)
        self.assertEqual(seen, {PlacementError, MemoryError, ProbeError, InputError})

    def test_placement_failures_are_exactly_exos(self):
        failures = {_lib.status_name(s) for s in statuses() if _lib.lib().exoplace_status_is_placement_failure(s)}
        seed = {"insufficient_memory", "tensor_not_supported", "no_tensor_sharding", "invalid_split", "search_limit"}
        exo_main = {"tensor_unsupported", "tensor_indivisible", "pipeline_unsupported_model",
                    "pipeline_single_node_only", "backend_incompatible_model", "backend_no_cycle", "rdma_no_cycle",
                    "zero_memory", "too_few_layers", "node_insufficient_memory", "ring_no_link",
                    "jaccl_not_all_to_all", "jaccl_unreachable_coordinator", "invalid_multiaddr"}
        self.assertEqual(failures, seed | exo_main)

    def test_status_constants_are_the_librarys(self):
        for value, code in ((_lib.STATUS_NO_MEMORY, "out_of_memory"),
                            (_lib.STATUS_BUFFER_TOO_SMALL, "buffer_too_small"),
                            (_lib.STATUS_SEARCH_LIMIT, "search_limit"), (_lib.STATUS_PROBE, "probe_failed")):
            with self.subTest(code=code):
                self.assertEqual(_lib.status_name(value), code)

    def test_explained_failures_are_the_placement_failures_but_search_limit(self):
        for status in statuses():
            code = _lib.status_name(status)
            with self.subTest(code=code):
                expected = bool(_lib.lib().exoplace_status_is_placement_failure(status)) and code != "search_limit"
                self.assertIs(_lib.is_explained_failure(status), expected)

    def test_placement_error_carries_the_explanation_given(self):
        explanation = {"placed": False, "tiers": []}
        with self.assertRaises(PlacementError) as caught:
            _lib.raise_for_status(9, failing_error(9), explanation)
        self.assertIs(caught.exception.explanation, explanation)
        with self.assertRaises(PlacementError) as caught:
            _lib.raise_for_status(9, failing_error(9))
        self.assertIsNone(caught.exception.explanation)

    def test_empty_message_falls_back_to_the_default_text(self):
        with self.assertRaises(PlacementError) as caught:
            _lib.raise_for_status(9, failing_error(9))
        self.assertEqual(str(caught.exception), "No cycles found with sufficient memory")

    def test_field_is_kept(self):
        with self.assertRaises(InputError) as caught:
            _lib.raise_for_status(1, failing_error(1, "model.nLayers: must be at least 1", "model.nLayers"))
        self.assertEqual(caught.exception.field, "model.nLayers")

    def test_error_structure_has_the_header_sizes(self):
        err = _lib.Error()
        self.assertEqual(len(err.message), 0)
        self.assertEqual(type(err).message.size, 512)
        self.assertEqual(type(err).field.size, 256)


class ExceptionClassesTest(unittest.TestCase):
    def test_hierarchy(self):
        self.assertTrue(issubclass(InputError, ValueError))
        self.assertTrue(issubclass(InputError, ExoplaceError))
        self.assertTrue(issubclass(PlacementError, ExoplaceError))
        self.assertFalse(issubclass(PlacementError, ValueError))
        self.assertTrue(issubclass(ProbeError, OSError))
        self.assertTrue(issubclass(exoplace.LibraryLoadError, OSError))

    def test_placement_error_takes_code_and_message(self):
        error = PlacementError("insufficient_memory", "No cycles found with sufficient memory")
        self.assertEqual((error.code, error.message, str(error)),
                         ("insufficient_memory", "No cycles found with sufficient memory",
                          "No cycles found with sufficient memory"))

    def test_probe_error_has_no_bogus_errno(self):
        self.assertIsNone(ProbeError("probe_failed", "meminfo: missing").errno)

    def test_exceptions_survive_pickling(self):
        for error in (PlacementError("invalid_split", "no layers"), InputError("invalid_json", "line 1", "request"),
                      ProbeError("probe_failed", "gone", "")):
            with self.subTest(type=type(error).__name__):
                copy = pickle.loads(pickle.dumps(error))
                self.assertIs(type(copy), type(error))
                self.assertEqual((copy.code, copy.message, copy.field), (error.code, error.message, error.field))


if __name__ == "__main__":
    unittest.main()
