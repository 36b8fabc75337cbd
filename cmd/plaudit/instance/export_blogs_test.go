package instance

import (
	"github.com/plaudit/plaudit/app/blogs"
	"github.com/plaudit/plaudit/app/things"
)

// TestBlogs gives the blog tests the poll they would otherwise wait
// poll_interval for.
func (inst *Instance) TestBlogs() *blogs.Service { return inst.federation.Blogs }

// TestThings gives tests the thing resolution the flattr API will use.
func (inst *Instance) TestThings() *things.Service { return inst.federation.Things }
