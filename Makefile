# SPDX-License-Identifier: MIT
# moat — seccomp and eBPF together. GNU Make.
#
#   make            build build/moat on top of build/libmoat.a
#   make demo       install missing packages (apt-get), build, show moat working
#   make test       install missing packages, build (-Werror), run the whole suite
#   make SAN=1      ASan+UBSan build (into build-san/)
#   make fuzz       libFuzzer targets (clang)
#   make install    PREFIX=/usr/local DESTDIR=
#   make format-check

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool

ifeq ($(SAN),1)
B := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B := build
SANFLAGS :=
endif

WERROR ?= $(if $(CI),-Werror,)
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter $(WERROR) $(SANFLAGS) \
	-D_GNU_SOURCE -DMOAT_VERSION='"$(VERSION)"' -Iinclude -I$(B)/gen -Isrc
override LDFLAGS += $(SANFLAGS)
LIBS := -lbpf -lelf -lz -ljansson

# libmoat: every src/<module>/*.c except the CLI, plus generated tables.
LIB_SRCS := $(filter-out src/cli/% src/bpf/%,$(wildcard src/*/*.c))
GEN_SRCS := $(B)/gen/tables_gen.c $(B)/gen/consts_gen.c $(B)/gen/groups_gen.c
LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS)) $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_SRCS))
CLI_SRCS := $(wildcard src/cli/*.c)
CLI_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(CLI_SRCS))

# BPF programs: src/bpf/x.bpf.c -> $(B)/bpf/x.bpf.o -> $(B)/gen/x.skel.h
BPF_SRCS := $(wildcard src/bpf/*.bpf.c)
BPF_OBJS := $(patsubst src/bpf/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst src/bpf/%.bpf.c,$(B)/gen/%.skel.h,$(BPF_SRCS))
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

# Tests: each tests/unit/test_x.c is one cmocka program.
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(wildcard tests/helpers/*.c)
TEST_HELPER_BINS := $(patsubst tests/helpers/%.c,$(B)/tests/helpers/%,$(TEST_HELPERS))

.PHONY: man all lib demo test check bootstrap install uninstall clean format format-check fuzz bench tests

all: $(B)/moat

lib: $(B)/libmoat.a

$(B)/gen/tables_gen.c: scripts/gen-syscalls.sh $(wildcard data/syscalls/*.tbl) data/syscalls/names.txt
	@mkdir -p $(@D)
	sh scripts/gen-syscalls.sh data/syscalls $@

$(B)/gen/consts_gen.c: scripts/gen-consts.sh include/moat/decode.h
	@mkdir -p $(@D)
	sh scripts/gen-consts.sh "$(CC)" $@

$(B)/gen/groups_gen.c: scripts/gen-groups.sh $(wildcard data/groups/*.moat)
	@mkdir -p $(@D)
	sh scripts/gen-groups.sh data/groups $@

# The command table: one MOAT_CMD(name, "summary") line per src/cli/*.c.
$(B)/gen/commands.h: $(CLI_SRCS)
	@mkdir -p $(@D)
	grep -h '^MOAT_CMD(' $(CLI_SRCS) | sed 's/;[[:space:]]*$$//' | sort > $@.tmp && mv $@.tmp $@

$(B)/obj/src/cli/main.o: $(B)/gen/commands.h

$(B)/gen/vmlinux.h:
	@mkdir -p $(@D)
	@test -r $(VMLINUX_BTF) || { echo "error: no kernel BTF at $(VMLINUX_BTF): moat's eBPF programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y (or set VMLINUX_BTF=path)" >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

# trace uses an atomic add's result (moat trace --no-time: BPF_FETCH, Linux 5.12).
BPF_CPU_trace := -mcpu=v3

$(B)/bpf/%.bpf.o: src/bpf/%.bpf.c $(wildcard src/bpf/*.h) $(B)/gen/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf $(BPF_CPU_$*) -D__TARGET_ARCH_$(ARCH) -I$(B)/gen -Isrc/bpf -Iinclude -c $< -o $@
	@# Strip DWARF that libbpf does not need; keep BTF.
	llvm-strip -g $@ 2>/dev/null || true

$(B)/gen/%.skel.h: $(B)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isrc/syscalls -MMD -MP -c $< -o $@

$(B)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libmoat.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/moat: $(CLI_OBJS) $(B)/libmoat.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libmoat.a $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libmoat.a $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(B)/libmoat.a $(LIBS) -lcmocka -lseccomp -lpthread

# Helpers are the programs tests observe (exact syscall counts, filters of
# their own): never instrumented, or ASan's runtime would add its own calls.
HELPER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter $(WERROR) -D_GNU_SOURCE -Iinclude
$(B)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(HELPER_CFLAGS) -o $@ $< -lpthread $(if $(findstring m32,$*),-m32,)

tests: $(TEST_BINS) $(TEST_HELPER_BINS) $(B)/moat

bootstrap:
	@sh scripts/bootstrap.sh

demo: bootstrap
	$(MAKE) all
	@sh scripts/demo.sh $(B)/moat

# The whole suite: build with -Werror, unit + CLI + kernel tests, a sanitizer
# pass and a short fuzz run; the last line is "N passed, N failed".
test: bootstrap
	$(MAKE) WERROR=-Werror all tests
	@sh tests/run.sh

$(B)/man/moat.1: $(B)/moat scripts/gen-man.sh
	@mkdir -p $(@D)
	sh scripts/gen-man.sh $(B)/moat $@

man: $(B)/man/moat.1

install: $(B)/moat $(B)/man/moat.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/moat \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(B)/moat $(DESTDIR)$(PREFIX)/bin/moat
	install -m 644 $(B)/libmoat.a $(DESTDIR)$(PREFIX)/lib/libmoat.a
	install -m 644 include/moat/*.h $(DESTDIR)$(PREFIX)/include/moat/
	install -m 644 $(B)/man/moat.1 $(DESTDIR)$(PREFIX)/share/man/man1/moat.1
	for m in docs/man/*.5; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man5/ || true; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/moat $(DESTDIR)$(PREFIX)/lib/libmoat.a
	rm -rf $(DESTDIR)$(PREFIX)/include/moat

FORMAT_FILES = $(filter-out %_gen.c,$(wildcard include/moat/*.h src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h fuzz/*.c bench/*.c))

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

# libFuzzer targets: fuzz/fuzz_x.c, built with clang against ASan+UBSan sources.
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZ_SRCS))
# src/trace/format.c needs no eBPF: fuzz_decode formats events from any bytes.
FUZZ_LIB_SRCS := $(filter-out src/cli/% src/trace/% src/sandbox/%,$(LIB_SRCS)) src/trace/format.c

fuzz: $(FUZZ_BINS)

build-fuzz/gen/tables_gen.c: $(B)/gen/tables_gen.c
	@mkdir -p $(@D)
	cp $< $@
build-fuzz/gen/consts_gen.c: $(B)/gen/consts_gen.c
	@mkdir -p $(@D)
	cp $< $@
build-fuzz/gen/groups_gen.c: $(B)/gen/groups_gen.c
	@mkdir -p $(@D)
	cp $< $@

build-fuzz/%: fuzz/%.c $(FUZZ_LIB_SRCS) build-fuzz/gen/tables_gen.c build-fuzz/gen/consts_gen.c build-fuzz/gen/groups_gen.c
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -std=gnu11 -D_GNU_SOURCE -DMOAT_VERSION='"$(VERSION)"' -Iinclude -Isrc -Isrc/syscalls -Ibuild/gen \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB_SRCS) build-fuzz/gen/tables_gen.c build-fuzz/gen/consts_gen.c build-fuzz/gen/groups_gen.c -ljansson

bench: all
	@$(MAKE) -C bench

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
