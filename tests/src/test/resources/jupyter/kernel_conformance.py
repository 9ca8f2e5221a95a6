#!/usr/bin/python3
"""The Stratus kernel against jupyter_kernel_test (Debian's python3-jupyter-kernel-test): each
request answered, and every message checked against the messaging spec's schemas.

    JUPYTER_PATH=/tmp/k/share/jupyter /usr/bin/python3 kernel_conformance.py -v

Not covered (skipped): the pager payload, which the kernel does not send.
"""

import unittest

import jupyter_kernel_test


class StratusKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "stratus"
    language_name = "Java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("to stderr");'
    code_generate_error = 'throw new IllegalStateException("on purpose");'
    code_execute_result = [{"code": "6 * 7", "result": "42"}, {"code": '"a" + "b"', "result": "ab"}]
    code_display_data = [{"code": 'display(html("<b>bold</b>"));', "mime": "text/html"}]
    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput();"

    completion_samples = [{"text": "Math.ma", "matches": {"max("}}]
    complete_code_samples = ["1 + 1", "int x = 1;", "%lsmagic"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {"]
    invalid_code_samples = ["int x = ;;; )"]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6*"


if __name__ == "__main__":
    unittest.main()
