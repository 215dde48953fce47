// Command kratos builds Ory Kratos from its published Go module, pinned by go.mod/go.sum
// in this folder. It is the upstream entry point, restated because `go install` refuses
// a module with replace directives.
package main

import (
	"os"

	"github.com/ory/kratos/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
