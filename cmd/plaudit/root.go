package main

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/configs"
)

// env is what a command reads and writes besides its flags.
type env struct {
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	environ []string
}

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "plaudit",
		Short: "Plaudit: flattr anything in the fediverse",
		Long: `Plaudit is a federated ActivityPub appreciation server: funders load a small
monthly budget, flattr posts, articles, pictures and videos on any server, and
at the end of the month each budget is split among what it flattred.

Configuration comes from defaults, then the YAML file named by --config or
PLAUDIT_CONFIG, then PLAUDIT_* environment variables, then flags.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", "", "YAML configuration file (default $PLAUDIT_CONFIG)")
	configs.RegisterFlags(root.PersistentFlags())
	root.AddCommand(
		newServeCommand(e), newWorkerCommand(e), newMigrateCommand(e),
		newUserCommand(e), newTokenCommand(e), newInviteCommand(e),
		newVersionCommand(e), newHealthcheckCommand(e), newLedgerCommand(e), newWalletCommand(e), newMonthCommand(e), newPayoutCommand(e),
		newSettlementCommand(e),
	)
	return root
}

// loadConfig reads the configuration for cmd.
func loadConfig(cmd *cobra.Command, e *env) (configs.Config, error) {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = lookupEnv(e.environ, "PLAUDIT_CONFIG")
	}
	return configs.Load(path, e.environ, cmd.Flags())
}

func lookupEnv(environ []string, name string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(environ[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

// newLogger returns the JSON (or text) logger the configuration asks for.
func newLogger(cfg configs.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if w == nil {
		w = os.Stderr
	}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
