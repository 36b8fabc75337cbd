package configs

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
)

// EnvPrefix starts every environment variable Plaudit reads.
const EnvPrefix = "PLAUDIT_"

// envNotKeys are PLAUDIT_ variables that are not configuration keys.
var envNotKeys = []string{"PLAUDIT_CONFIG", "PLAUDIT_TEST_"}

// field describes one configuration key.
type field struct {
	key  string
	kind reflect.Kind
	typ  reflect.Type
	help string
	def  any
}

// fields lists every key of Config with its default, in declaration order.
func fields() []field {
	var out []field
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := prefix + f.Tag.Get("koanf")
			if f.Type.Kind() == reflect.Struct {
				walk(key+".", v.Field(i))
				continue
			}
			out = append(out, field{key: key, kind: f.Type.Kind(), typ: f.Type, help: f.Tag.Get("help"), def: v.Field(i).Interface()})
		}
	}
	walk("", reflect.ValueOf(Default()))
	return out
}

// Keys lists every configuration key, sorted.
func Keys() []string {
	var keys []string
	for _, f := range fields() {
		keys = append(keys, f.key)
	}
	sort.Strings(keys)
	return keys
}

// EnvName is the environment variable that sets key.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// FlagName is the command-line flag that sets key.
func FlagName(key string) string {
	return strings.ReplaceAll(key, "_", "-")
}

// RegisterFlags adds one flag per configuration key to fs.
func RegisterFlags(fs *pflag.FlagSet) {
	for _, f := range fields() {
		name := FlagName(f.key)
		switch {
		case f.typ == reflect.TypeOf(time.Duration(0)):
			fs.Duration(name, f.def.(time.Duration), f.help)
		case f.kind == reflect.Bool:
			fs.Bool(name, f.def.(bool), f.help)
		case f.kind == reflect.Int:
			fs.Int(name, f.def.(int), f.help)
		case f.kind == reflect.Int64:
			fs.Int64(name, f.def.(int64), f.help)
		case f.kind == reflect.Slice:
			fs.StringSlice(name, f.def.([]string), f.help)
		default:
			fs.String(name, fmt.Sprint(f.def), f.help)
		}
	}
}

// Load reads the configuration: defaults, then the YAML file at path (when
// not empty), then PLAUDIT_* variables from environ, then the flags in fs that
// were set. An unknown key or a bad value is an error naming it.
func Load(path string, environ []string, fs *pflag.FlagSet) (Config, error) {
	k := koanf.New(".")
	defaults := map[string]any{}
	known := map[string]bool{}
	for _, f := range fields() {
		defaults[f.key] = f.def
		known[f.key] = true
	}
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return Config{}, fmt.Errorf("load defaults: %w", err)
	}
	if path != "" {
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("read config file %s: %w", path, err)
		}
		if err := checkFileKeys(fk, known); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
		if err := k.Merge(fk); err != nil {
			return Config{}, fmt.Errorf("merge config file %s: %w", path, err)
		}
	}
	envValues, err := fromEnv(environ, known)
	if err != nil {
		return Config{}, err
	}
	if err := k.Load(confmap.Provider(envValues, "."), nil); err != nil {
		return Config{}, fmt.Errorf("load environment: %w", err)
	}
	if fs != nil {
		provider := posflag.ProviderWithFlag(fs, ".", k, func(f *pflag.Flag) (string, any) {
			key := strings.ReplaceAll(f.Name, "-", "_")
			if !known[key] {
				return "", nil
			}
			return key, posflag.FlagVal(fs, f)
		})
		if err := k.Load(provider, nil); err != nil {
			return Config{}, fmt.Errorf("load flags: %w", err)
		}
	}
	cfg, err := decode(k)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// checkFileKeys refuses keys of fk that are not configuration keys. A
// section left empty (every key under it commented out) is dropped, so that
// it does not wipe the defaults under it.
func checkFileKeys(fk *koanf.Koanf, known map[string]bool) error {
	for _, key := range fk.Keys() {
		if known[key] {
			continue
		}
		under := sectionKeys(key, known)
		switch {
		case len(under) == 0:
			return fmt.Errorf("unknown key %q (known keys: %s)", key, strings.Join(Keys(), ", "))
		case fk.Get(key) != nil:
			return fmt.Errorf("%q is a section, not a value (its keys: %s)", key, strings.Join(under, ", "))
		}
		fk.Delete(key)
	}
	return nil
}

// sectionKeys lists the known keys under section, sorted.
func sectionKeys(section string, known map[string]bool) []string {
	var under []string
	for key := range known {
		if strings.HasPrefix(key, section+".") {
			under = append(under, key)
		}
	}
	sort.Strings(under)
	return under
}

func fromEnv(environ []string, known map[string]bool) (map[string]any, error) {
	byEnv := map[string]string{}
	for key := range known {
		byEnv[EnvName(key)] = key
	}
	values := map[string]any{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) || isNotKey(name) {
			continue
		}
		key, ok := byEnv[name]
		if !ok {
			return nil, fmt.Errorf("environment variable %s names no configuration key", name)
		}
		values[key] = value
	}
	return values, nil
}

func isNotKey(name string) bool {
	for _, p := range envNotKeys {
		if name == p || (strings.HasSuffix(p, "_") && strings.HasPrefix(name, p)) {
			return true
		}
	}
	return false
}

func decode(k *koanf.Koanf) (Config, error) {
	var cfg Config
	conf := koanf.UnmarshalConf{
		Tag: "koanf",
		DecoderConfig: &mapstructure.DecoderConfig{
			DecodeHook:       mapstructure.ComposeDecodeHookFunc(durationNeedsUnit, mapstructure.StringToTimeDurationHookFunc(), stringToList),
			WeaklyTypedInput: true,
			ErrorUnused:      true,
			Result:           &cfg,
			TagName:          "koanf",
		},
	}
	if err := k.UnmarshalWithConf("", &cfg, conf); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

var durationType = reflect.TypeOf(time.Duration(0))

// stringToList reads a list from one string, as environment variables give
// it: comma-separated, spaces around items dropped, empty meaning none.
func stringToList(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return data, nil
	}
	out := []string{}
	for _, item := range strings.Split(data.(string), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out, nil
}

// durationNeedsUnit refuses a bare number for a duration: YAML reads
// "shutdown_timeout: 30" as an integer, which would silently mean 30ns.
func durationNeedsUnit(from, to reflect.Type, data any) (any, error) {
	if to != durationType || from == durationType {
		return data, nil
	}
	switch from.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return nil, fmt.Errorf("%v needs a unit, like \"%vs\"", data, data)
	}
	return data, nil
}
