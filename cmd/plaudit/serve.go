package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/plaudit/plaudit/cmd/plaudit/instance"
	"github.com/plaudit/plaudit/configs"
)

func newServeCommand(e *env) *cobra.Command {
	var noWorker bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web pages, the API and federation, and run background jobs",
		Long: `serve runs the HTTP server. Unless --no-worker is given it also processes
background jobs and runs the periodic scheduler in the same process. With no
redis_url it starts an embedded Redis-compatible server, which only this
process can use: --no-worker then needs redis_url.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			logger := newLogger(cfg, e.stderr)
			inst, err := instance.Open(cmd.Context(), cfg, instance.Options{Web: true, Worker: !noWorker, Logger: logger})
			if err != nil {
				return err
			}
			defer inst.Close()
			return runUntilDone(cmd.Context(), inst, cfg, logger)
		},
	}
	cmd.Flags().BoolVar(&noWorker, "no-worker", false, "serve HTTP only; a separate `plaudit worker` processes jobs")
	return cmd
}

func newWorkerCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Process background jobs and run the periodic scheduler (needs redis_url)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			logger := newLogger(cfg, e.stderr)
			inst, err := instance.Open(cmd.Context(), cfg, instance.Options{Worker: true, Logger: logger})
			if err != nil {
				return err
			}
			defer inst.Close()
			return runUntilDone(cmd.Context(), inst, cfg, logger)
		},
	}
}

// runUntilDone starts inst and, when ctx ends (SIGINT, SIGTERM), shuts it
// down gracefully: requests and jobs in flight finish first.
func runUntilDone(ctx context.Context, inst *instance.Instance, cfg configs.Config, logger *slog.Logger) error {
	if err := inst.Start(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	case err := <-inst.Served():
		if !errors.Is(err, http.ErrServerClosed) {
			_ = inst.Shutdown(context.Background())
			return fmt.Errorf("http server: %w", err)
		}
	}
	if err := inst.Shutdown(context.Background()); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}
