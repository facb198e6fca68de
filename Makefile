# dlc — build, test, demo.  `make` builds build/dlc; `make test` installs what is missing
# (Debian packages), builds and runs every test; `make demo` trains models/mlp.dlm on
# Fashion-MNIST, saves the weights and builds them into an object file + header.
# LLVM 19 is found through llvm-config-19.

LLVM_CONFIG ?= llvm-config-19
CC ?= cc
BUILD := build
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter
RT_CFLAGS := -std=c11 $(CFLAGS) $(WARN) -D_GNU_SOURCE -Iruntime
DLC_CFLAGS = -std=c11 $(CFLAGS) $(WARN) -Icompiler -Iruntime -I$(BUILD) $(shell $(LLVM_CONFIG) --cflags)
DLC_LDLIBS = $(shell $(LLVM_CONFIG) --ldflags) $(shell $(LLVM_CONFIG) --libs) -lz -lm -pthread

RUNTIME_SRC := $(wildcard runtime/*.c)
COMPILER_SRC := $(wildcard compiler/*.c)
RUNTIME_OBJ := $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/parser.o $(BUILD)/lexer.o
HEADERS := $(wildcard compiler/*.h runtime/*.h)

.PHONY: all deps test tests-bin demo examples fixtures clean seq2seq seq2seq-data
all: $(BUILD)/dlc $(BUILD)/libdlrt.a

$(BUILD)/parser.c $(BUILD)/parser.h: grammar/parser.y
	@mkdir -p $(BUILD)
	bison -Wall --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

$(BUILD)/lexer.c: grammar/lexer.l $(BUILD)/parser.h
	flex -o $@ $<

$(BUILD)/parser.o: $(BUILD)/parser.c $(HEADERS)
	$(CC) $(DLC_CFLAGS) -Wno-unused-function -c -o $@ $<
$(BUILD)/lexer.o: $(BUILD)/lexer.c $(HEADERS)
	$(CC) $(DLC_CFLAGS) -Wno-sign-compare -Wno-unused-function -c -o $@ $<

$(BUILD)/compiler/%.o: compiler/%.c $(HEADERS) $(BUILD)/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(DLC_CFLAGS) -c -o $@ $<

$(BUILD)/runtime/%.o: runtime/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

$(BUILD)/libdlrt.a: $(RUNTIME_OBJ)
	ar rcs $@ $^

$(BUILD)/dlc: $(COMPILER_OBJ) $(BUILD)/libdlrt.a
	$(CC) -o $@ $(COMPILER_OBJ) $(BUILD)/libdlrt.a $(DLC_LDLIBS)

# The compiler as a library (everything but main.c), for test programs that drive it.
LIB_OBJ := $(filter-out $(BUILD)/compiler/main.o,$(COMPILER_OBJ))
$(BUILD)/libdlc.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/tests/test_runtime: tests/unit/test_runtime.c $(BUILD)/libdlrt.a
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -o $@ $< $(BUILD)/libdlrt.a -lz -lm -pthread

$(BUILD)/tests/parity: tests/parity/parity.c $(BUILD)/libdlc.a $(BUILD)/libdlrt.a
	@mkdir -p $(dir $@)
	$(CC) $(DLC_CFLAGS) -o $@ $< $(BUILD)/libdlc.a $(BUILD)/libdlrt.a $(DLC_LDLIBS)

$(BUILD)/tests/test_gemm: tests/unit/test_gemm.c $(BUILD)/libdlc.a $(BUILD)/libdlrt.a
	@mkdir -p $(dir $@)
	$(CC) $(DLC_CFLAGS) -o $@ $< $(BUILD)/libdlc.a $(BUILD)/libdlrt.a $(DLC_LDLIBS)

TEST_BINS := $(BUILD)/tests/test_runtime $(BUILD)/tests/test_gemm $(BUILD)/tests/parity
tests-bin: $(TEST_BINS)

# Examples: a classifier linking the object file, a fine-tuner compiled from the C source.
EX := $(BUILD)/examples
$(EX)/mlp.safetensors: $(BUILD)/dlc models/mlp.dlm
	@mkdir -p $(EX)
	$(BUILD)/dlc train models/mlp.dlm --quiet --save $@ > $(EX)/train.log
$(EX)/mlp.o: $(EX)/mlp.safetensors
	$(BUILD)/dlc build models/mlp.dlm --weights $< -o $@
$(EX)/classify: examples/classify.c $(EX)/mlp.o $(BUILD)/libdlrt.a
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -I$(EX) -Iruntime -o $@ $< $(EX)/mlp.o $(BUILD)/libdlrt.a -lz -lm -pthread
$(EX)/start.safetensors: $(BUILD)/dlc models/mlp.dlm
	@mkdir -p $(EX)
	$(BUILD)/dlc train models/mlp.dlm --quiet --steps 30 --save $@ > $(EX)/start.log
$(EX)/mlp_ft.c: $(EX)/start.safetensors
	$(BUILD)/dlc build models/mlp.dlm --emit=c --weights $< --name mlp_ft -o $@
$(EX)/finetune: examples/finetune.c $(EX)/mlp_ft.c $(BUILD)/libdlrt.a
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -I$(EX) -Iruntime -o $@ $< $(EX)/mlp_ft.c $(BUILD)/libdlrt.a -lz -lm -pthread
examples: $(EX)/classify $(EX)/finetune

# Debian packages the build and the tests need, installed when missing.
deps:
	@.ci/install-deps

test: deps
	@$(MAKE) --no-print-directory all tests-bin examples
	@tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/dlc check models/mlp.dlm
	$(BUILD)/dlc train models/mlp.dlm --save $(BUILD)/mlp.safetensors --log $(BUILD)/mlp.jsonl
	$(BUILD)/dlc eval models/mlp.dlm --weights $(BUILD)/mlp.safetensors
	$(BUILD)/dlc build models/mlp.dlm --weights $(BUILD)/mlp.safetensors -o $(BUILD)/mlp.o

# models/seq2seq.dlm's data (English number words -> digits), from a committed, seeded script.
SEQ2SEQ_DATA := models/data/numbers
seq2seq-data: $(SEQ2SEQ_DATA)/src.npy
$(SEQ2SEQ_DATA)/src.npy: examples/seq2seq/number_words.py
	/usr/bin/python3 examples/seq2seq/number_words.py $(SEQ2SEQ_DATA)

# The encoder-decoder end to end: its data, training, greedy decoding of the held-out numbers.
seq2seq: deps
	@$(MAKE) --no-print-directory all seq2seq-data
	$(BUILD)/dlc train models/seq2seq.dlm --save $(BUILD)/seq2seq.safetensors
	$(BUILD)/dlc generate models/seq2seq.dlm --weights $(BUILD)/seq2seq.safetensors --output $(BUILD)/seq2seq.npy \
	    --input $(SEQ2SEQ_DATA)/heldout_src.npy --target $(SEQ2SEQ_DATA)/heldout_next.npy

# Regenerate the PyTorch fixtures under tests/fixtures (needs python3-torch).
fixtures: deps
	/usr/bin/python3 tests/parity/make_fixtures.py tests/fixtures

clean:
	rm -rf $(BUILD)

# Benchmarks (not tests): dlc against PyTorch and OpenBLAS on this machine; see docs/bench.md.
BENCH := $(BUILD)/bench
.PHONY: bench bench-bin
$(BENCH)/bench_dlc: bench/bench_dlc.c bench/bench.h compiler/timing.h $(BUILD)/libdlc.a $(BUILD)/libdlrt.a
	@mkdir -p $(dir $@)
	$(CC) $(DLC_CFLAGS) -o $@ $< $(BUILD)/libdlc.a $(BUILD)/libdlrt.a $(DLC_LDLIBS)
$(BENCH)/sgemm_blas: bench/sgemm_blas.c bench/bench.h compiler/timing.h
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -Icompiler -o $@ $< -lopenblas -lm -pthread
bench-bin: $(BUILD)/dlc $(BENCH)/bench_dlc $(BENCH)/sgemm_blas

bench:
	@bench/install-deps
	@$(MAKE) --no-print-directory bench-bin
	@bench/run.sh
