package engine

import (
	"os"
	"path/filepath"

	sdklog "go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewLogger logs JSON lines to file (created with its directory) and, when
// stderrLevel is not nil, human-readable lines at or above it to stderr.
func NewLogger(file string, stderrLevel *zapcore.Level) (*zap.Logger, error) {
	var cores []zapcore.Core
	if file != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
		cores = append(cores, zapcore.NewCore(enc, zapcore.AddSync(f), zapcore.InfoLevel))
	}
	if stderrLevel != nil {
		cfg := zap.NewDevelopmentEncoderConfig()
		cfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05")
		cores = append(cores, zapcore.NewCore(zapcore.NewConsoleEncoder(cfg), zapcore.AddSync(os.Stderr), *stderrLevel))
	}
	return zap.New(zapcore.NewTee(cores...)), nil
}

// sdkLogger adapts zap to the Temporal SDK's logger.
type sdkLogger struct{ s *zap.SugaredLogger }

func (l sdkLogger) Debug(msg string, kv ...interface{}) { l.s.Debugw(msg, kv...) }
func (l sdkLogger) Info(msg string, kv ...interface{})  { l.s.Infow(msg, kv...) }
func (l sdkLogger) Warn(msg string, kv ...interface{})  { l.s.Warnw(msg, kv...) }
func (l sdkLogger) Error(msg string, kv ...interface{}) { l.s.Errorw(msg, kv...) }

var _ sdklog.Logger = sdkLogger{}
