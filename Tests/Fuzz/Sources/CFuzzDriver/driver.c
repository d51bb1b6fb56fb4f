// The declarations are in include/CFuzzDriver.h; libFuzzer provides the definitions.
