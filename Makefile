# flow — bootstrap, build, run, test, bench.
#   make run    installs missing system packages, builds in release mode, runs the default workflow
#   make test   same bootstrap, then the full test suite (release build: the tests are numerical)
#   make bench  benchmarks (Benchmarks/README.md)

SWIFT        ?= swift
CONFIG       ?= release
SWIFTFLAGS   := -c $(CONFIG) -Xswiftc -enable-testing
# FlowMD's SIMD kernels (LJ7 on SIMD8<Double>, Müller–Brown's vector exp on SIMD4<Double>) compile
# to 2-lane SSE2 on baseline x86-64 and to 4-lane AVX2 with -target-cpu haswell (Benchmarks/README.md,
# Sampling). The flag is passed here, on x86-64 machines whose CPU has AVX2, and never in
# Package.swift, which stays portable (aarch64, macOS, use as a package dependency). Results are the
# same with and without it: the kernels' fused multiply–adds are explicit, and LLVM neither fuses
# nor reassociates floating-point operations on its own.
ifeq ($(shell uname -m),x86_64)
ifneq ($(shell grep -m1 -ow avx2 /proc/cpuinfo 2>/dev/null),)
SWIFTFLAGS   += -Xswiftc -target-cpu -Xswiftc haswell
endif
endif
WORKFLOW     ?= workflows/mueller-brown.yaml
APT_PACKAGES := libhdf5-dev libopenblas-dev liblapacke-dev libarpack2-dev libssl-dev gnuplot-nox pkg-config
FLOW         := .build/$(CONFIG)/flow

.PHONY: bootstrap build run test test-slurm bench clean

# Installs only what is missing; works as root and through sudo.
bootstrap:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "flow: installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: bootstrap
	$(SWIFT) build $(SWIFTFLAGS) --product flow

run: build
	$(FLOW) run $(WORKFLOW)

# The last line is the run's own count ("N passed, N failed"), read from the xUnit results.
# The Slurm suite runs afterwards against a single-node cluster started for it (root and apt
# needed; otherwise it prints "skipped: why"), which is stopped by PID whatever happens.
SLURM_STATE := .build/slurm-cluster

test: bootstrap
	$(SWIFT) build $(SWIFTFLAGS) --build-tests
	@rm -f .build/test-results.xml .build/slurm-results.xml
	@$(SWIFT) test $(SWIFTFLAGS) --skip-build --parallel --num-workers 2 --skip SlurmExecutorTests --xunit-output .build/test-results.xml; \
	  status=$$?; Tests/summarize-results.sh .build/test-results.xml || status=1; \
	  $(MAKE) --no-print-directory test-slurm || status=1; exit $$status

test-slurm:
	@if Tests/Slurm/start-local-slurm.sh $(SLURM_STATE); then \
	  trap 'Tests/Slurm/stop-local-slurm.sh $(SLURM_STATE)' EXIT INT TERM; \
	  . $(SLURM_STATE)/env; \
	  FLOW_TEST_SLURM=1 $(SWIFT) test $(SWIFTFLAGS) --skip-build --parallel --num-workers 1 --filter SlurmExecutorTests --xunit-output .build/slurm-results.xml >.build/slurm-tests.log 2>&1; \
	  status=$$?; [ $$status = 0 ] || tail -40 .build/slurm-tests.log; \
	  printf "Slurm suite: "; Tests/summarize-results.sh .build/slurm-results.xml || status=1; exit $$status; \
	else echo "Slurm suite skipped (see the line above)"; fi

# Each benchmark prints its numbers and the ratio against its baseline (Benchmarks/README.md).
BENCHES := flow-bench sampling-bench tmdmap-bench flow-md-bench flow-nn-bench

bench: build
	@for b in $(BENCHES); do $(SWIFT) build $(SWIFTFLAGS) --product $$b || exit 1; done
	@for b in $(BENCHES); do echo "== $$b"; .build/$(CONFIG)/$$b || exit 1; done

clean:
	rm -rf .build
