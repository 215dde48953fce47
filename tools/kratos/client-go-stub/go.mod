// Stand-in for github.com/ory/client-go: Kratos' go.mod points it at a nested module
// (./internal/client-go) that is not part of the published module zip. Only Kratos'
// examples and tests import it, so an empty module satisfies the build.
module github.com/ory/client-go

go 1.23
