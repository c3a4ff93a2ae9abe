# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: bootstrap build release test demo spark-demo spark-test ofrep-demo http-test format lint

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	swift build

release: bootstrap
	swift build -c release

test: bootstrap
	swift test

demo: release
	.build/release/tailor serve --rules examples/homepage/rules.json < examples/homepage/profiles.jsonl

# PySpark from PyPI in a cached virtual environment (scripts/spark-env.sh); needs Java 17.
spark-demo: bootstrap
	scripts/spark-demo.sh

spark-test: bootstrap
	Tests/Spark/run.sh

# tailor-http (HTTP/) on examples/homepage, asked through the Python OpenFeature SDK's OFREP provider.
ofrep-demo: bootstrap
	scripts/ofrep-demo.sh

http-test: bootstrap
	Tests/HTTP/run.sh

format:
	scripts/format.sh

lint:
	scripts/lint.sh
